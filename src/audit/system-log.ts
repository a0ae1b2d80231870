/**
 * The System Log API for the rest of Gatehouse: call `recordEvent(c, {...})` wherever something
 * auditable happens. It builds the full Okta LogEvent at once (time, request id, client IP and user
 * agent) and queues it; the write happens after the response path, in batches (log-writer.ts).
 * It never throws and never waits for the database. Tests call `await flushSystemLog(c)` before
 * reading /api/v1/logs. `recordEventLater(c, async () => ({...}))` is the same for an event that
 * needs lookups first (the management API's audit hook: http/plugins/admin-audit.ts).
 *
 *   recordEvent(c, {
 *     eventType: 'user.session.start',
 *     actor: userActor(user),
 *     outcome: { result: 'FAILURE', reason: 'INVALID_CREDENTIALS' },
 *     request,                                  // the FastifyRequest, for client and transaction
 *     debugData: { authnRequestId: '…' },
 *   });
 *
 * Pass the container, never a transaction-bound store: events must outlive the transaction.
 */
import type { Container } from '../container.js';
import type { App, Group, User } from '../domain/model.js';
import type { TrustedOrigin } from '../domain/trusted-origins/model.js';
import { eventUuid } from './event-id.js';
import { eventTypeInfo, type EventType } from './event-types.js';
import type {
  LogActor, LogAuthenticationContext, LogEvent, LogOutcomeResult, LogSeverity, LogTarget,
} from './log-event.js';
import { enqueueEvent, flushEvents } from './log-writer.js';

export type SystemLogDeps = Pick<Container, 'store' | 'clock' | 'log'>;

/** What recordEvent reads from an HTTP request; a FastifyRequest fits. */
export interface RequestInfo {
  id: string;
  ip: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
}

type Entity<T extends { id: string; type: string }> = Pick<T, 'id' | 'type'> & Partial<Omit<T, 'id' | 'type'>>;

export interface LogEventInput {
  /** See event-types.ts; other names are accepted. */
  eventType: EventType;
  actor: Entity<LogActor>;
  target?: Entity<LogTarget>[];
  /** Defaults to SUCCESS. */
  outcome?: { result: LogOutcomeResult; reason?: string | null };
  /** Defaults to the event type's severity (INFO for unknown types). */
  severity?: LogSeverity;
  /** Defaults to the event type's message. */
  displayMessage?: string;
  legacyEventType?: string | null;
  /** The HTTP request that caused the event: client IP, user agent, transaction id. */
  request?: RequestInfo;
  /** The OAuth client id, for OAuth events (client.id). */
  clientId?: string;
  authenticationContext?: Partial<LogAuthenticationContext>;
  /** Free-form details; keep secrets out (tokens, passwords, codes). */
  debugData?: Record<string, unknown>;
  /** Epoch ms; defaults to the container clock. */
  published?: number;
}

function header(request: RequestInfo, name: string): string | null {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

function entity<T extends LogActor | LogTarget>(e: Entity<T>): T {
  return { alternateId: null, displayName: null, detailEntry: null, ...e } as T;
}

/** The members that follow from the event type, unless the input sets them. */
function typeMembers(input: Pick<LogEventInput, 'severity' | 'legacyEventType' | 'displayMessage'>, eventType: EventType) {
  const known = eventTypeInfo(eventType);
  return {
    eventType,
    version: '0' as const,
    severity: input.severity ?? known?.severity ?? 'INFO',
    legacyEventType: input.legacyEventType !== undefined ? input.legacyEventType : (known?.legacyEventType ?? null),
    displayMessage: input.displayMessage ?? known?.displayMessage ?? eventType,
  };
}

/** Builds the Okta LogEvent for `input`. Exported for tests and for callers that want the event. */
export function buildLogEvent(c: Pick<Container, 'clock'>, input: LogEventInput): LogEvent {
  const { request } = input;
  const ip = request?.ip ?? null;
  const debugData: Record<string, unknown> = { ...input.debugData };
  if (request) {
    debugData.requestId = request.id;
    // The path only: a query string can carry one-time tokens.
    if (request.url) debugData.requestUri = request.url.split('?')[0];
  }
  const published = input.published ?? c.clock.now();
  return {
    uuid: eventUuid(published),
    published: new Date(published).toISOString(),
    ...typeMembers(input, input.eventType),
    actor: entity<LogActor>(input.actor),
    client: {
      userAgent: request ? { rawUserAgent: header(request, 'user-agent'), os: null, browser: null } : null,
      zone: null,
      device: null,
      id: input.clientId ?? null,
      ipAddress: ip,
      geographicalContext: null,
    },
    device: null,
    authenticationContext: {
      authenticationProvider: null, credentialProvider: null, credentialType: null, issuer: null, interface: null,
      authenticationStep: 0, externalSessionId: null, ...input.authenticationContext,
    },
    outcome: { result: input.outcome?.result ?? 'SUCCESS', reason: input.outcome?.reason ?? null },
    securityContext: { asNumber: null, asOrg: null, isp: null, domain: null, isProxy: null },
    debugContext: { debugData },
    transaction: { type: request ? 'WEB' : 'JOB', id: request?.id ?? null, detail: {} },
    request: { ipChain: ip ? [{ ip, geographicalContext: null, version: ip.includes(':') ? 'V6' : 'V4', source: null }] : [] },
    target: (input.target ?? []).map((t) => entity<LogTarget>(t)),
  };
}

/** The members every event of one occurrence shares, between `displayMessage` and `target`. */
const SHARED_KEYS = [
  'actor', 'client', 'device', 'authenticationContext', 'outcome', 'securityContext', 'debugContext', 'transaction', 'request',
] as const satisfies readonly (keyof LogEvent)[];

/** The members of `event` in SHARED_KEYS as JSON, without the braces (a fragment to splice). */
function sharedJson(event: LogEvent): string {
  const shared: Partial<LogEvent> = {};
  for (const k of SHARED_KEYS) (shared as Record<string, unknown>)[k] = event[k];
  return JSON.stringify(shared).slice(1, -1);
}

/** `event` as JSON in LogEvent's member order, with its shared members already serialised. */
function eventJson(event: LogEvent, shared: string): string {
  const str = JSON.stringify;
  return `{"uuid":${str(event.uuid)},"published":${str(event.published)},"eventType":${str(event.eventType)},"version":"0",`
    + `"severity":${str(event.severity)},"legacyEventType":${str(event.legacyEventType)},"displayMessage":${str(event.displayMessage)},`
    + `${shared},"target":${str(event.target)}}`;
}

/**
 * Records a System Log event: builds it now, writes it shortly after in a batch. Never throws; a
 * failure is logged. Returns the event as it will be stored (undefined if it could not be built).
 */
export function recordEvent(c: SystemLogDeps, input: LogEventInput): LogEvent | undefined {
  return recordEvents(c, input, [{ eventType: input.eventType, target: input.target }])[0];
}

/** What differs between the events recordEvents records for one occurrence. */
export interface EventVariant {
  eventType: EventType;
  target?: Entity<LogTarget>[];
}

/**
 * Records one event per variant, all alike but for the event type (with its severity and message)
 * and targets: the tokens one grant issued, say. Their shared members (actor, client, request,
 * debug data…) are built and serialised once, which was most of the cost of auditing a token
 * request. Never throws; returns the events as they will be stored.
 */
export function recordEvents(c: SystemLogDeps, input: Omit<LogEventInput, 'eventType' | 'target'>, variants: EventVariant[]): LogEvent[] {
  const recorded: LogEvent[] = [];
  let base: LogEvent | undefined;
  let shared = '';
  for (const variant of variants) {
    try {
      let event: LogEvent;
      if (!base) {
        // Serialised now, once: the stored body cannot see later mutations of the caller's objects,
        // and an unserialisable event fails here, alone, rather than its whole batch. The columns the
        // store takes from `event` are strings copied into fresh objects by buildLogEvent.
        event = base = buildLogEvent(c, { ...input, ...variant });
        shared = sharedJson(base);
      } else {
        event = {
          ...base,
          uuid: eventUuid(Date.parse(base.published)),
          ...typeMembers(input, variant.eventType),
          target: (variant.target ?? []).map((t) => entity<LogTarget>(t)),
        };
      }
      enqueueEvent(c.store, c.log, event, eventJson(event, shared));
      recorded.push(event);
    } catch (err) {
      c.log.error({ err, eventType: variant.eventType }, 'cannot record system log event');
    }
  }
  return recorded;
}

/** Events still being built by recordEventLater, per store. */
const building = new Map<Container['store'], Set<Promise<void>>>();

/**
 * Records an event whose details need asynchronous work first (looking up the names of its targets,
 * say); `build` may return several. Their time is taken now; `build` starts at once, alongside the
 * caller, which never waits for it. A `build` that fails or returns undefined records nothing.
 * flushSystemLog waits for it.
 */
export function recordEventLater(c: SystemLogDeps, build: () => Promise<LogEventInput | LogEventInput[] | undefined>): void {
  const published = c.clock.now();
  let pending = building.get(c.store);
  if (!pending) building.set(c.store, (pending = new Set()));
  const set = pending;
  const task = (async () => {
    try {
      const built = await build();
      for (const input of Array.isArray(built) ? built : built ? [built] : []) {
        recordEvent(c, { ...input, published: input.published ?? published });
      }
    } catch (err) {
      c.log.error({ err }, 'cannot build system log event');
    }
  })().finally(() => {
    set.delete(task);
    if (set.size === 0 && building.get(c.store) === set) building.delete(c.store);
  });
  set.add(task);
}

/** Resolves once every event recorded so far (for this container's store, or all) is written. */
export async function flushSystemLog(c?: Pick<Container, 'store'>): Promise<void> {
  for (;;) {
    const sets = c ? [building.get(c.store)] : [...building.values()];
    const tasks = sets.flatMap((set) => (set ? [...set] : []));
    if (tasks.length === 0) break;
    await Promise.allSettled(tasks);
  }
  return flushEvents(c?.store);
}

// ---------------------------------------------------------------------------------------------
// Actors and targets, shaped as Okta logs them.

function userDisplayName(user: Pick<User, 'profile'>): string {
  const { profile } = user;
  if (typeof profile.displayName === 'string' && profile.displayName) return profile.displayName;
  const name = [profile.firstName, profile.lastName].filter((p) => typeof p === 'string' && p).join(' ');
  return name || profile.login;
}

export function userActor(user: Pick<User, 'id' | 'profile'>): LogActor {
  return { id: user.id, type: 'User', alternateId: user.profile.login, displayName: userDisplayName(user), detailEntry: null };
}

/** An OAuth client acting for itself (client_credentials, token revocation by the client…). */
export function clientActor(app: Pick<App, 'clientId' | 'body'>): LogActor {
  return { id: app.clientId, type: 'PublicClientApp', alternateId: app.clientId, displayName: app.body.label, detailEntry: null };
}

/** Gatehouse itself (scheduled jobs, bootstrap). */
export const SYSTEM_ACTOR: LogActor = { id: 'system', type: 'SystemPrincipal', alternateId: 'system@gatehouse', displayName: 'Gatehouse', detailEntry: null };

export function userTarget(user: Pick<User, 'id' | 'profile'>): LogTarget {
  return { ...userActor(user) };
}

export function groupTarget(group: Pick<Group, 'id' | 'name'>): LogTarget {
  return { id: group.id, type: 'UserGroup', alternateId: group.name, displayName: group.name, detailEntry: null };
}

export function appTarget(app: Pick<App, 'id' | 'clientId' | 'body'>): LogTarget {
  return { id: app.id, type: 'AppInstance', alternateId: app.body.label, displayName: app.body.label, detailEntry: { clientId: app.clientId } };
}

export function trustedOriginTarget(origin: Pick<TrustedOrigin, 'id' | 'name' | 'origin'>): LogTarget {
  return { id: origin.id, type: 'TrustedOrigin', alternateId: origin.origin, displayName: origin.name, detailEntry: null };
}
