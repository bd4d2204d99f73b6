import { createPrivateKey, type KeyObject } from "node:crypto";
import { requestImsToken } from "./ims-request.js";
import { createManagedAuth } from "./managed-auth.js";
import {
  configError,
  headerSafe,
  type LifecycleOptions,
  normalizeScopes,
  requiredSecret,
  resolveImsOptions,
} from "./options.js";
import type { PhotoshopAuth } from "./types.js";

/** Options of `createJwtAuth`. */
export interface JwtAuthOptions extends LifecycleOptions {
  /** The integration's client id (API key). */
  clientId: string;
  /** The integration's client secret: sent only in the exchange's form body. */
  clientSecret: string;
  /** The RSA private key, as PEM (PKCS#8 or PKCS#1, the Developer Console's `private.key`) or a `KeyObject`. */
  privateKey: string | KeyObject;
  /** The technical account id, `<id>@techacct.adobe.com` (the JWT's `sub`). */
  technicalAccountId: string;
  /** The organisation id, `<id>@AdobeOrg` (the JWT's `iss`). */
  orgId: string;
  /** Meta-scope names such as `ent_ccas_sdk`; each becomes a claim `<imsUrl>/s/<name>: true`. */
  metaScopes: readonly string[];
}

/**
 * Auth with legacy Service Account (JWT) credentials: signs an RS256 JWT with the private key (using
 * `jose`) and exchanges it at `/ims/exchange/jwt`. Same lifecycle as the other kinds. The signer
 * (`jose`) is loaded with `import()` on the first token request, so that code which never uses this
 * deprecated path never loads it, and a bundler puts it in a chunk of its own.
 *
 * @deprecated Adobe stopped issuing JWT credentials in June 2024, ended them on 30 June 2025 and
 *   converts the rest to OAuth Server-to-Server; use `createServerToServerAuth`. Kept for migrations and
 *   for IMS-compatible servers that still accept the exchange.
 * @param options Credentials, key, account, organisation, meta-scopes and lifecycle options.
 * @returns A `PhotoshopAuth`.
 * @throws TypeError when an option is missing or malformed (the key's content is never quoted);
 *   `getToken()` rejects with `ImsError` (`invalid_token`, `invalid_signature`, `invalid_scope`, …).
 * @example
 * const auth = createJwtAuth({
 *   clientId, clientSecret, privateKey: readFileSync("private.key", "utf8"),
 *   technicalAccountId: "ABC@techacct.adobe.com", orgId: "DEF@AdobeOrg", metaScopes: ["ent_ccas_sdk"],
 * });
 * @see https://developer.adobe.com/developer-console/docs/guides/authentication/ServerToServerAuthentication/migration
 */
export function createJwtAuth(options: JwtAuthOptions): PhotoshopAuth {
  const clientId = headerSafe(options.clientId, "clientId");
  const clientSecret = requiredSecret(options.clientSecret, "clientSecret");
  const technicalAccountId = matching(
    options.technicalAccountId,
    /^[^\s@]+@techacct\.adobe\.com$/,
    "technicalAccountId",
    "<id>@techacct.adobe.com",
  );
  const orgId = matching(options.orgId, /^[^\s@]+@AdobeOrg$/, "orgId", "<id>@AdobeOrg");
  const metaScopes = normalizeScopes(options.metaScopes, "metaScopes");
  const key = rsaPrivateKey(options.privateKey);
  const ims = resolveImsOptions(options);
  return createManagedAuth({
    clientId,
    scopes: metaScopes,
    ims,
    lifecycle: options,
    secrets: [clientSecret],
    async requestToken() {
      const { signJwtAssertion } = await import("./jwt-assertion.js");
      const now = Math.floor(ims.clock.now() / 1000);
      const jwt = await signJwtAssertion(
        { imsUrl: ims.imsUrl, clientId, orgId, technicalAccountId, metaScopes, now },
        key,
      );
      return requestImsToken(ims, {
        path: "/ims/exchange/jwt",
        form: { client_id: clientId, client_secret: clientSecret, jwt_token: jwt },
        expiresIn: "milliseconds",
        secrets: [clientSecret, jwt],
      });
    },
  });
}

function matching(value: unknown, pattern: RegExp, name: string, shape: string): string {
  if (typeof value !== "string" || !pattern.test(value))
    configError(`${name} is required and must look like ${shape}`);
  return value;
}

/** Parses the key once, up front, so a bad key fails at construction with a message that never quotes it. */
function rsaPrivateKey(value: unknown): KeyObject {
  let key: KeyObject | undefined;
  try {
    key = typeof value === "string" ? createPrivateKey(value) : (value as KeyObject | undefined);
  } catch {
    // The parser's own message is discarded: some quote the input.
  }
  if (key?.type !== "private" || key.asymmetricKeyType !== "rsa") {
    configError("privateKey must be an RSA private key: PEM text (PKCS#8 or PKCS#1) or a private KeyObject");
  }
  return key;
}
