import { randomBytes, randomUUID } from "node:crypto";
import type { components } from "@psapi/openapi-types/emulator";
import { jwtVerify, SignJWT } from "jose";
import { BoundedMap } from "../lib/bounded-map.js";
import type { EmulatorTime } from "../lib/clock.js";
import { randomToken, sha256 } from "../lib/secrets.js";

/** What a valid access token says about its caller. */
export interface TokenClaims {
  clientId: string;
  scopes: string[];
}

/** A freshly issued access token. */
export interface IssuedToken {
  accessToken: string;
  expiresAt: number;
}

/** A verified access token's claims, kept so the next request with it skips the signature check. */
interface VerifiedToken extends TokenClaims {
  id: string;
  seq: number;
  expiresAt: number;
}

/**
 * An issued access token as the control API lists it, never the token itself (`IssuedToken` of
 * `openapi/emulator.yaml`); `revoked` wins over `expired`.
 */
export type IssuedTokenView = components["schemas"]["IssuedToken"];

interface Grant {
  clientId: string;
  scopes: string[];
  expiresAt: number;
}

const MAX_GRANTS = 10_000;
/** Verified tokens remembered; a client reuses one token for a day, so a few thousand cover any test run. */
const MAX_VERIFIED = 4_096;
const CODE_LIFETIME_MS = 10 * 60_000;
/** Issued access tokens remembered for the control API's list (the newest; checking needs none). */
const MAX_LISTED = 1_000;
/** Issued credentials remembered in plain for redaction by value (the newest; checking needs none). */
const MAX_SCRUBBED = 64;

/**
 * Issues and checks the emulator's access tokens, refresh tokens and authorization codes.
 *
 * Access tokens are JWTs shaped like Adobe's (`client_id`, `scope`, `created_at` and `expires_in`
 * as millisecond strings) signed with a per-instance HMAC key, so checking one needs no stored
 * state: memory stays bounded however many tokens are minted. Revocation is a sequence number
 * cut-off (per client or global) plus a bounded set of single revoked ids.
 */
export class TokenService {
  readonly #time: EmulatorTime;
  #key = randomBytes(32);
  #sequence = 0;
  #revokedBeforeAll = 0;
  readonly #revokedBeforeClient = new Map<string, number>();
  /** Revoked token ids, in revocation order, with what {@link #makeRoom} needs. */
  readonly #revokedIds = new Map<string, { expiresAt: number; seq: number; clientId: string }>();
  readonly #maxRevoked: number;
  readonly #refreshTokens = new BoundedMap<string, Grant>({ maxEntries: MAX_GRANTS });
  readonly #codes = new BoundedMap<string, Grant>({ maxEntries: MAX_GRANTS });
  /*
   * Checking an HS256 signature through WebCrypto was half the CPU time of a GET (the bench's hot
   * path). The signature of a given token string never changes, so its verified claims are cached;
   * expiry and revocation are still checked on every call.
   */
  readonly #verified = new BoundedMap<string, VerifiedToken>({ maxEntries: MAX_VERIFIED });
  /** The newest issued tokens' claims, by id, for {@link list} and revocation by id. */
  readonly #issued = new BoundedMap<string, VerifiedToken & { issuedAt: number }>({
    maxEntries: MAX_LISTED,
  });
  /**
   * The newest issued access tokens, refresh tokens and codes in plain: only so that the journal,
   * the inspector and error answers can hide them wherever a client put them ({@link issuedSecrets}).
   */
  readonly #recent = new BoundedMap<string, string>({ maxEntries: MAX_SCRUBBED });
  #recentVersion = 0;

  #remember(secret: string): void {
    this.#recent.set(secret, secret);
    this.#recentVersion += 1;
  }

  /** Changes whenever {@link issuedSecrets} does, so a redactor built from it is rebuilt only then. */
  get issuedSecretsVersion(): number {
    return this.#recentVersion;
  }

  /** The newest credentials this service issued (access and refresh tokens, codes), for redaction by value. */
  issuedSecrets(): string[] {
    return [...this.#recent.values()];
  }

  /**
   * @param time - emulator time.
   * @param limits - `maxRevoked`: single revocations kept (default 10000).
   */
  constructor(time: EmulatorTime, limits: { maxRevoked?: number } = {}) {
    this.#time = time;
    this.#maxRevoked = limits.maxRevoked ?? MAX_GRANTS;
  }

  /** Mints an access token for `clientId` valid for `lifetimeMs` of emulator time. */
  async issue(clientId: string, scopes: readonly string[], lifetimeMs: number): Promise<IssuedToken> {
    const createdAt = this.#time.now();
    this.#sequence += 1;
    const id = `${createdAt}_${randomUUID()}_emu1`;
    this.#issued.set(id, {
      id,
      clientId,
      scopes: [...scopes],
      seq: this.#sequence,
      issuedAt: createdAt,
      expiresAt: createdAt + lifetimeMs,
    });
    const accessToken = await new SignJWT({
      id,
      type: "access_token",
      client_id: clientId,
      user_id: `${clientId}@techacct.adobe.com`,
      as: "ims-na1",
      scope: scopes.join(","),
      created_at: String(createdAt),
      expires_in: String(lifetimeMs),
      seq: this.#sequence,
    })
      .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: "psapi-emulator-1", itt: "at" })
      .sign(this.#key);
    this.#remember(accessToken);
    return { accessToken, expiresAt: createdAt + lifetimeMs };
  }

  /** The claims of a valid, unexpired, unrevoked token; `undefined` otherwise. */
  async verify(token: string): Promise<TokenClaims | undefined> {
    const claims = await this.#check(token);
    return claims && { clientId: claims.clientId, scopes: [...claims.scopes] };
  }

  /**
   * The client of a still-valid token whose signature was already checked, without awaiting:
   * the gateway's per-request fast path. `undefined` when not cached (then use {@link verify}).
   */
  cachedClientId(token: string): string | undefined {
    return this.#live(this.#verified.peek(token))?.clientId;
  }

  async #check(token: string): Promise<VerifiedToken | undefined> {
    return this.#live(this.#verified.peek(token) ?? (await this.#verifySignature(token)));
  }

  /** The claims if the token is neither revoked nor expired. */
  #live(claims: VerifiedToken | undefined): VerifiedToken | undefined {
    return claims && this.#state(claims) === "valid" ? claims : undefined;
  }

  #state(claims: Pick<VerifiedToken, "id" | "seq" | "clientId" | "expiresAt">): IssuedTokenView["state"] {
    const { id, seq, clientId } = claims;
    if (this.#revokedIds.has(id)) return "revoked";
    if (seq <= this.#revokedBeforeAll || seq <= (this.#revokedBeforeClient.get(clientId) ?? 0))
      return "revoked";
    return this.#time.now() >= claims.expiresAt ? "expired" : "valid";
  }

  /** The newest issued access tokens (up to 1000), newest first, by id: never the tokens. */
  list(): IssuedTokenView[] {
    const iso = (ms: number) => new Date(ms).toISOString();
    return [...this.#issued.values()].reverse().map((token) => ({
      tokenId: token.id,
      clientId: token.clientId,
      scopes: [...token.scopes],
      issuedAt: iso(token.issuedAt),
      expiresAt: iso(token.expiresAt),
      state: this.#state(token),
    }));
  }

  /** The claims of a token this instance signed (any expiry), cached; `undefined` for anything else. */
  async #verifySignature(token: string): Promise<VerifiedToken | undefined> {
    const key = this.#key;
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, key, { algorithms: ["HS256"] }));
    } catch {
      return undefined;
    }
    const { client_id: clientId, scope, created_at: createdAt, expires_in: expiresIn, seq, id } = payload;
    const expiresAt = Number(createdAt) + Number(expiresIn);
    if (typeof clientId !== "string" || typeof scope !== "string" || typeof seq !== "number")
      return undefined;
    if (typeof id !== "string" || !Number.isFinite(expiresAt)) return undefined;
    // A reset during the await rotated the key: the token belongs to the old generation.
    if (key !== this.#key) return undefined;
    const claims = { clientId, scopes: scope.split(",").filter(Boolean), id, seq, expiresAt };
    this.#verified.set(token, claims);
    return claims;
  }

  /**
   * Revokes one token, every token of a client, or (with neither) every token issued so far.
   *
   * @returns whether anything was revoked (false for a token that was not valid anyway).
   */
  async revoke(target: { token?: string; tokenId?: string; clientId?: string }): Promise<boolean> {
    if (target.token !== undefined || target.tokenId !== undefined) {
      const listed = target.tokenId === undefined ? undefined : this.#issued.peek(target.tokenId);
      const claims = target.token !== undefined ? await this.#check(target.token) : this.#live(listed);
      if (claims) {
        this.#makeRoom();
        this.#revokedIds.set(claims.id, {
          expiresAt: claims.expiresAt,
          seq: claims.seq,
          clientId: claims.clientId,
        });
      }
      return claims !== undefined;
    }
    if (target.clientId !== undefined) {
      this.#revokedBeforeClient.set(target.clientId, this.#sequence);
      return true;
    }
    this.#revokedBeforeAll = this.#sequence;
    return true;
  }

  /** Creates a refresh token (kept only as a hash). */
  mintRefreshToken(clientId: string, scopes: readonly string[], lifetimeMs: number): string {
    const token = randomToken();
    this.#refreshTokens.set(sha256(token).toString("hex"), {
      clientId,
      scopes: [...scopes],
      expiresAt: this.#time.now() + lifetimeMs,
    });
    this.#remember(token);
    return token;
  }

  /**
   * Uses up a refresh token: refresh tokens rotate, so each one works once.
   *
   * @returns its grant, or `undefined` when unknown, expired, used, or another client's.
   */
  consumeRefreshToken(token: string, clientId: string): Grant | undefined {
    return this.#consume(this.#refreshTokens, token, clientId);
  }

  /** Creates a one-time authorization code (the control API's stand-in for a user login). */
  mintCode(clientId: string, scopes: readonly string[]): { code: string; expiresAt: number } {
    const code = randomToken(24);
    const expiresAt = this.#time.now() + CODE_LIFETIME_MS;
    this.#codes.set(sha256(code).toString("hex"), { clientId, scopes: [...scopes], expiresAt });
    this.#remember(code);
    return { code, expiresAt };
  }

  /** Uses up an authorization code. */
  consumeCode(code: string, clientId: string): Grant | undefined {
    return this.#consume(this.#codes, code, clientId);
  }

  /** Forgets everything and rotates the signing key, so tokens from before a reset stop working. */
  reset(): void {
    this.#key = randomBytes(32);
    this.#revokedBeforeAll = 0;
    this.#revokedBeforeClient.clear();
    this.#revokedIds.clear();
    this.#refreshTokens.clear();
    this.#codes.clear();
    this.#verified.clear();
    this.#issued.clear();
    this.#recent.clear();
    this.#recentVersion += 1;
  }

  /**
   * Keeps the revoked list bounded without ever bringing a revoked token back: entries of expired
   * tokens go first; if none has expired, the oldest revocation becomes a per-client cut-off at its
   * sequence number (which also revokes that client's older tokens: safe, if broader).
   */
  #makeRoom(): void {
    if (this.#revokedIds.size < this.#maxRevoked) return;
    const now = this.#time.now();
    for (const [id, entry] of this.#revokedIds) if (entry.expiresAt <= now) this.#revokedIds.delete(id);
    if (this.#revokedIds.size < this.#maxRevoked) return;
    const [oldestId, oldest] = this.#revokedIds.entries().next().value as [
      string,
      { seq: number; clientId: string },
    ];
    this.#revokedIds.delete(oldestId);
    const cutOff = this.#revokedBeforeClient.get(oldest.clientId) ?? 0;
    this.#revokedBeforeClient.set(oldest.clientId, Math.max(cutOff, oldest.seq));
  }

  #consume(store: BoundedMap<string, Grant>, secret: string, clientId: string): Grant | undefined {
    const key = sha256(secret).toString("hex");
    const grant = store.peek(key);
    if (!grant || grant.clientId !== clientId) return undefined;
    store.delete(key);
    return grant.expiresAt > this.#time.now() ? grant : undefined;
  }
}
