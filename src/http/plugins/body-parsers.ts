/**
 * Body parsers. Forms keep repeated parameters as arrays so OAuth endpoints can reject them
 * (RFC 6749 §3.1: parameters must not be included more than once). JSON tolerates an empty body,
 * because Okta's SDKs send `Content-Type: application/json` on bodiless DELETE and POST calls.
 */
import type { FastifyInstance } from 'fastify';

export type FormBody = Record<string, string | string[]>;

export function parseForm(raw: string): FormBody {
  const out: FormBody = Object.create(null) as FormBody;
  for (const [k, v] of new URLSearchParams(raw)) {
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else out[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export function registerBodyParsers(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 65536 }, (_req, body, done) => {
    done(null, parseForm(body as string));
  });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 1048576 }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      const err = new SyntaxError('malformed JSON body') as SyntaxError & { statusCode: number };
      err.statusCode = 400;
      done(err, undefined);
    }
  });
}
