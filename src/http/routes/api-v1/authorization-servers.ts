/**
 * /api/v1/authorizationServers: Okta's Authorization Servers API — servers, signing keys and their
 * rotation, scopes, claims, access policies and policy rules. Also starts this node's scheduled key
 * rotation check with the app and stops it on close.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Container } from '../../../container.js';
import {
  createClaim, deleteClaim, findClaim, listClaims, replaceClaim,
} from '../../../domain/auth-servers/claims-service.js';
import { claimJson, keyJson, policyJson, ruleJson, scopeJson } from '../../../domain/auth-servers/json.js';
import { getKey, listKeys, rotateServerKeys } from '../../../domain/auth-servers/keys-service.js';
import {
  createPolicy, deletePolicy, findPolicy, listPolicies, replacePolicy, setPolicyStatus,
} from '../../../domain/auth-servers/policies-service.js';
import {
  createRule, deleteRule, findRule, listRules, replaceRule, setRuleStatus,
} from '../../../domain/auth-servers/rules-service.js';
import {
  createScope, deleteScope, findScope, listScopes, replaceScope,
} from '../../../domain/auth-servers/scopes-service.js';
import {
  createServer, deleteServer, findServer, listServers, replaceServer, serverResponse, setServerStatus,
} from '../../../domain/auth-servers/servers-service.js';
import { requireApiToken } from '../../plugins/api-auth.js';
import { paginate, queryParam, readPage } from './pagination.js';

type P<T extends string> = { Params: Record<T, string> };
const STATUS_OF = { activate: 'ACTIVE', deactivate: 'INACTIVE' } as const;
const LIFECYCLE = ['activate', 'deactivate'] as const;

/** 204 once `work` is done (deletes and lifecycle operations). */
async function noContent(reply: FastifyReply, work: Promise<void>): Promise<FastifyReply> {
  await work;
  return reply.code(204).send();
}

export async function authorizationServerRoutes(app: FastifyInstance, c: Container): Promise<void> {
  requireApiToken(app, c);
  const { orgUrl } = c.config;
  const base = '/authorizationServers';
  const srv = `${base}/:id`;

  // Servers
  app.get(base, async (req, reply) => {
    const page = readPage(req.query);
    const rows = await listServers(c, { ...page, q: queryParam(req.query, 'q') || undefined });
    const shown = paginate(orgUrl, req, reply, page, rows, (s) => s.id);
    return Promise.all(shown.map((s) => serverResponse(c, s)));
  });
  app.post(base, async (req, reply) => reply.code(201).send(await serverResponse(c, await createServer(c, req.body))));
  app.get<P<'id'>>(srv, async (req) => serverResponse(c, await findServer(c, req.params.id)));
  app.put<P<'id'>>(srv, async (req) => serverResponse(c, await replaceServer(c, req.params.id, req.body)));
  app.delete<P<'id'>>(srv, async (req, reply) => noContent(reply, deleteServer(c, req.params.id)));
  for (const op of LIFECYCLE) {
    app.post<P<'id'>>(`${srv}/lifecycle/${op}`, async (req, reply) => noContent(reply, setServerStatus(c, req.params.id, STATUS_OF[op])));
  }

  // Signing keys
  app.get<P<'id'>>(`${srv}/credentials/keys`, async (req) => (await listKeys(c, req.params.id)).map((k) => keyJson(k, orgUrl)));
  app.get<P<'id' | 'kid'>>(`${srv}/credentials/keys/:kid`, async (req) => keyJson(await getKey(c, req.params.id, req.params.kid), orgUrl));
  app.post<P<'id'>>(`${srv}/credentials/lifecycle/keyRotate`, async (req) =>
    (await rotateServerKeys(c, req.params.id, req.body)).map((k) => keyJson(k, orgUrl)));

  // Scopes
  app.get<P<'id'>>(`${srv}/scopes`, async (req, reply) => {
    const page = readPage(req.query);
    const rows = await listScopes(c, req.params.id, { ...page, q: queryParam(req.query, 'q') || undefined });
    return paginate(orgUrl, req, reply, page, rows, (s) => s.id).map((s) => scopeJson(s, orgUrl));
  });
  app.post<P<'id'>>(`${srv}/scopes`, async (req, reply) => reply.code(201).send(scopeJson(await createScope(c, req.params.id, req.body), orgUrl)));
  const scope = `${srv}/scopes/:scopeId`;
  app.get<P<'id' | 'scopeId'>>(scope, async (req) => scopeJson(await findScope(c, req.params.id, req.params.scopeId), orgUrl));
  app.put<P<'id' | 'scopeId'>>(scope, async (req) => scopeJson(await replaceScope(c, req.params.id, req.params.scopeId, req.body), orgUrl));
  app.delete<P<'id' | 'scopeId'>>(scope, async (req, reply) => noContent(reply, deleteScope(c, req.params.id, req.params.scopeId)));

  // Claims
  app.get<P<'id'>>(`${srv}/claims`, async (req) => (await listClaims(c, req.params.id)).map((cl) => claimJson(cl, orgUrl)));
  app.post<P<'id'>>(`${srv}/claims`, async (req, reply) => reply.code(201).send(claimJson(await createClaim(c, req.params.id, req.body), orgUrl)));
  const claim = `${srv}/claims/:claimId`;
  app.get<P<'id' | 'claimId'>>(claim, async (req) => claimJson(await findClaim(c, req.params.id, req.params.claimId), orgUrl));
  app.put<P<'id' | 'claimId'>>(claim, async (req) => claimJson(await replaceClaim(c, req.params.id, req.params.claimId, req.body), orgUrl));
  app.delete<P<'id' | 'claimId'>>(claim, async (req, reply) => noContent(reply, deleteClaim(c, req.params.id, req.params.claimId)));

  // Policies
  app.get<P<'id'>>(`${srv}/policies`, async (req) => (await listPolicies(c, req.params.id)).map((p) => policyJson(p, orgUrl)));
  app.post<P<'id'>>(`${srv}/policies`, async (req, reply) => reply.code(201).send(policyJson(await createPolicy(c, req.params.id, req.body), orgUrl)));
  const policy = `${srv}/policies/:pid`;
  app.get<P<'id' | 'pid'>>(policy, async (req) => policyJson(await findPolicy(c, req.params.id, req.params.pid), orgUrl));
  app.put<P<'id' | 'pid'>>(policy, async (req) => policyJson(await replacePolicy(c, req.params.id, req.params.pid, req.body), orgUrl));
  app.delete<P<'id' | 'pid'>>(policy, async (req, reply) => noContent(reply, deletePolicy(c, req.params.id, req.params.pid)));
  for (const op of LIFECYCLE) {
    app.post<P<'id' | 'pid'>>(`${policy}/lifecycle/${op}`, async (req, reply) =>
      noContent(reply, setPolicyStatus(c, req.params.id, req.params.pid, STATUS_OF[op])));
  }

  // Policy rules
  app.get<P<'id' | 'pid'>>(`${policy}/rules`, async (req) => (await listRules(c, req.params.id, req.params.pid)).map((r) => ruleJson(r, orgUrl)));
  app.post<P<'id' | 'pid'>>(`${policy}/rules`, async (req, reply) =>
    reply.code(201).send(ruleJson(await createRule(c, req.params.id, req.params.pid, req.body), orgUrl)));
  const rule = `${policy}/rules/:rid`;
  app.get<P<'id' | 'pid' | 'rid'>>(rule, async (req) => ruleJson(await findRule(c, req.params.id, req.params.pid, req.params.rid), orgUrl));
  app.put<P<'id' | 'pid' | 'rid'>>(rule, async (req) =>
    ruleJson(await replaceRule(c, req.params.id, req.params.pid, req.params.rid, req.body), orgUrl));
  app.delete<P<'id' | 'pid' | 'rid'>>(rule, async (req, reply) => noContent(reply, deleteRule(c, req.params.id, req.params.pid, req.params.rid)));
  for (const op of LIFECYCLE) {
    app.post<P<'id' | 'pid' | 'rid'>>(`${rule}/lifecycle/${op}`, async (req, reply) =>
      noContent(reply, setRuleStatus(c, req.params.id, req.params.pid, req.params.rid, STATUS_OF[op])));
  }
}
