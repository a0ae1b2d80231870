/**
 * The System Log event as Okta's API returns it (management.yaml `LogEvent`), and the structured
 * query the System Log repository answers. Stored whole as JSON; a few fields are copied into
 * columns for filtering.
 */

export type LogSeverity = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export type LogOutcomeResult =
  | 'SUCCESS' | 'FAILURE' | 'SKIPPED' | 'ALLOW' | 'DENY' | 'CHALLENGE' | 'UNKNOWN' | 'RATE_LIMIT'
  | 'DEFERRED' | 'SCHEDULED' | 'ABANDONED' | 'UNANSWERED';

export interface LogActor {
  id: string;
  /** `User`, `PublicClientApp`, `SystemPrincipal`, … */
  type: string;
  alternateId: string | null;
  displayName: string | null;
  detailEntry: Record<string, unknown> | null;
}

export interface LogTarget {
  id: string;
  /** `User`, `UserGroup`, `AppInstance`, `AppUser`, `TrustedOrigin`, `Token`, … */
  type: string;
  alternateId: string | null;
  displayName: string | null;
  detailEntry: Record<string, unknown> | null;
  changeDetails?: { from?: Record<string, unknown>; to?: Record<string, unknown> };
}

export interface LogClient {
  userAgent: { rawUserAgent: string | null; os: string | null; browser: string | null } | null;
  zone: string | null;
  device: string | null;
  /** The OAuth client id for OAuth requests. */
  id: string | null;
  ipAddress: string | null;
  geographicalContext: null;
}

export interface LogAuthenticationContext {
  authenticationProvider: string | null;
  credentialProvider: string | null;
  credentialType: string | null;
  issuer: { id: string | null; type: string | null } | null;
  interface: string | null;
  authenticationStep: number;
  externalSessionId: string | null;
}

export interface LogEvent {
  uuid: string;
  /** ISO 8601 with milliseconds, UTC. */
  published: string;
  eventType: string;
  version: '0';
  severity: LogSeverity;
  legacyEventType: string | null;
  displayMessage: string | null;
  actor: LogActor;
  client: LogClient;
  device: null;
  authenticationContext: LogAuthenticationContext;
  outcome: { result: LogOutcomeResult; reason: string | null };
  securityContext: { asNumber: null; asOrg: null; isp: null; domain: null; isProxy: null };
  debugContext: { debugData: Record<string, unknown> };
  transaction: { type: 'WEB' | 'JOB'; id: string | null; detail: Record<string, unknown> };
  request: { ipChain: { ip: string; geographicalContext: null; version: 'V4' | 'V6'; source: null }[] };
  target: LogTarget[];
}

/** Attributes the System Log `filter` may name, each backed by a column. */
export type LogFilterField =
  | 'uuid' | 'eventType' | 'severity' | 'displayMessage' | 'outcome.result' | 'actor.id' | 'target.id' | 'client.ipAddress'
  | 'published';

export type LogTextField = Exclude<LogFilterField, 'published'>;

/**
 * A parsed `filter` expression. `target.id` compares against every target of the event: `eq` holds
 * when any target has the id, `ne` when none has it.
 */
export type LogFilter =
  | { op: 'and' | 'or'; terms: LogFilter[] }
  | { op: 'not'; term: LogFilter }
  | { field: LogTextField; cmp: 'eq' | 'ne' | 'sw' | 'co' | 'ew'; value: string }
  | { field: 'published'; cmp: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; value: number }
  | { field: LogFilterField; cmp: 'pr' };

/** Position in (published, uuid) order: rows strictly beyond it in the query's direction. */
export interface LogCursor { published: number; uuid: string }

export interface LogQuery {
  /** Inclusive lower bound on `published` (epoch ms). */
  since: number;
  /** Exclusive upper bound on `published` (epoch ms). */
  until: number;
  filter?: LogFilter | undefined;
  /** Lower-cased keywords; every one must occur in the event's searchable text. */
  keywords?: string[] | undefined;
  order: 'ASCENDING' | 'DESCENDING';
  after?: LogCursor | undefined;
  limit: number;
}
