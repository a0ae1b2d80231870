/** What the operations need to know about a server under test. */
import type { HttpClient } from '../lib/http.js';

export interface BenchUser {
  login: string;
  password: string;
}

export interface Target {
  /** Column heading, e.g. "Gatehouse (SQLite)". */
  name: string;
  baseUrl: string;
  issuer: string;
  paths: { discovery: string; token: string; introspect: string };
  client: { id: string; secret: string; redirectUri: string };
  /** The scope a client_credentials request asks for. */
  clientCredentialsScope: string;
  /** Users for the sign-in flow; worker w signs in as users[w % users.length]. */
  users: BenchUser[];
  /** False when the server refuses to introspect JWT access tokens (RFC 7662 leaves it optional). */
  introspectsJwtAccessTokens: boolean;
  /**
   * Starts from the authorization request parameters (client_id, response_type, scope,
   * redirect_uri, state, nonce, PKCE), signs `user` in with a fresh session and returns the
   * Location of the final authorization response (redirect_uri?code=…&state=…).
   */
  signIn(http: HttpClient, user: BenchUser, authorizeParams: URLSearchParams): Promise<string>;
  /** Set when configuring the server failed; operations that need the client or users are skipped. */
  setupError?: string;
  /** The server's process id, for its CPU time. */
  pid(): number | undefined;
  /** Lines for the report (setup notes, missing endpoints). */
  notes: string[];
  stop(): Promise<void>;
}
