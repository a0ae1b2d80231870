/**
 * Signing keys per authorization server. Private keys are sealed at rest and opened once into
 * KeyObjects; each node keeps them in memory and re-reads the table at most every `ttlMs`, so a key
 * rotated on another node is picked up without a database round trip per token.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { randomToken } from '../crypto/ids.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { SigningKey } from '../domain/model.js';
import type { SigningKeyRepo } from '../store/store.js';

const generateRsa = promisify(generateKeyPair);

export interface LoadedKey {
  kid: string;
  status: SigningKey['status'];
  publicJwk: Record<string, unknown>;
  publicKey: KeyObject;
  privateKey: KeyObject;
}

interface ServerKeys {
  loadedAt: number;
  active: LoadedKey | undefined;
  all: LoadedKey[];
}

export class KeyStore {
  readonly #cache = new Map<string, Promise<ServerKeys>>();
  readonly #loadedAt = new Map<string, number>();

  constructor(
    private readonly repo: SigningKeyRepo,
    private readonly box: SecretBox,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates an RS256 key for the server; used at bootstrap, on server creation and on rotation. */
  async generate(authServerId: string, status: SigningKey['status']): Promise<SigningKey> {
    const { publicKey, privateKey } = await generateRsa('rsa', { modulusLength: 2048 });
    const kid = randomToken(32).slice(0, 43);
    const jwk = publicKey.export({ format: 'jwk' });
    const key: SigningKey = {
      kid,
      authServerId,
      status,
      alg: 'RS256',
      publicJwk: { kty: 'RSA', alg: 'RS256', kid, use: 'sig', e: jwk.e, n: jwk.n },
      privateSealed: this.box.seal(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()),
      created: this.now(),
      expiresAt: null,
    };
    await this.repo.create(key);
    this.invalidate(authServerId);
    return key;
  }

  /** Ensures the server has an ACTIVE key (first start, new servers). */
  async ensureActiveKey(authServerId: string): Promise<void> {
    const keys = await this.repo.listForServer(authServerId);
    if (!keys.some((k) => k.status === 'ACTIVE')) await this.generate(authServerId, 'ACTIVE');
  }

  async activeKey(authServerId: string): Promise<LoadedKey> {
    const keys = await this.load(authServerId);
    if (!keys.active) throw new Error(`authorization server ${authServerId} has no ACTIVE signing key`);
    return keys.active;
  }

  /** Keys a verifier may need: ACTIVE and NEXT (published ahead of use) and not-yet-purged EXPIRED ones. */
  async publishedKeys(authServerId: string): Promise<LoadedKey[]> {
    return (await this.load(authServerId)).all;
  }

  async findKey(authServerId: string, kid: unknown): Promise<LoadedKey | undefined> {
    if (typeof kid !== 'string') return undefined;
    return (await this.load(authServerId)).all.find((k) => k.kid === kid);
  }

  invalidate(authServerId: string): void {
    this.#cache.delete(authServerId);
  }

  private load(authServerId: string): Promise<ServerKeys> {
    const cached = this.#cache.get(authServerId);
    const loadedAt = this.#loadedAt.get(authServerId) ?? 0;
    if (cached && this.now() - loadedAt < this.ttlMs) return cached;
    const fresh = this.read(authServerId);
    this.#cache.set(authServerId, fresh);
    this.#loadedAt.set(authServerId, this.now());
    fresh.catch(() => this.#cache.delete(authServerId));
    return fresh;
  }

  private async read(authServerId: string): Promise<ServerKeys> {
    const rows = await this.repo.listForServer(authServerId);
    const order = { ACTIVE: 0, NEXT: 1, EXPIRED: 2 } as const;
    const all = rows
      .sort((a, b) => order[a.status] - order[b.status] || b.created - a.created)
      .map((k) => ({
        kid: k.kid,
        status: k.status,
        publicJwk: k.publicJwk,
        publicKey: createPublicKey({ key: k.publicJwk as import('node:crypto').JsonWebKey, format: 'jwk' }),
        privateKey: createPrivateKey(this.box.open(k.privateSealed)),
      }));
    return { loadedAt: this.now(), active: all.find((k) => k.status === 'ACTIVE'), all };
  }
}
