import { configError, headerSafe, normalizeImsUrl } from "./options.js";
import { createServerToServerAuth, type ServerToServerAuthOptions } from "./server-to-server.js";
import { createStaticTokenAuth } from "./static-token.js";
import type { PhotoshopAuth } from "./types.js";

/** What code may set on top of the environment: everything but the credentials. */
export type AuthFromEnvOverrides = Omit<ServerToServerAuthOptions, "clientId" | "clientSecret">;

/** The two families of variable names Adobe's guides use, in order of precedence. */
const FAMILIES = [
  { id: "PHOTOSHOP_CLIENT_ID", secret: "PHOTOSHOP_CLIENT_SECRET", token: "PHOTOSHOP_ACCESS_TOKEN" },
  {
    id: "PS_FF_SERVICES_CLIENT_ID",
    secret: "PS_FF_SERVICES_CLIENT_SECRET",
    token: "PS_FF_SERVICES_ACCESS_TOKEN",
  },
] as const;

/**
 * Every environment variable {@link authFromEnv} reads a credential from: **the one list** of
 * credential variable names (the CLI decides from it whether credentials are set).
 */
// Marked pure so that a bundle of authFromEnv alone leaves the list out.
export const CREDENTIAL_VARIABLES: readonly string[] = /* @__PURE__ */ Object.freeze(
  /* @__PURE__ */ FAMILIES.flatMap((family) => [family.id, family.secret, family.token]),
);

type Env = Readonly<Record<string, string | undefined>>;

/** A variable's value trimmed, `undefined` when unset or blank: how every variable here is read. */
function readVariable(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * Whether any credential variable ({@link CREDENTIAL_VARIABLES}) is set, read as
 * {@link authFromEnv} reads it (blank counts as unset). `true` does not mean the set is complete:
 * `authFromEnv` names what is missing.
 *
 * @param env The variables; default `process.env`.
 * @example
 * hasEnvCredentials({ PHOTOSHOP_CLIENT_ID: "abc" }) // true
 * hasEnvCredentials({ PHOTOSHOP_CLIENT_ID: " " }) // false
 */
export function hasEnvCredentials(env: Env = process.env): boolean {
  return CREDENTIAL_VARIABLES.some((name) => readVariable(env, name) !== undefined);
}

/**
 * Builds auth from environment variables, the way Adobe's guides export credentials:
 *
 * - `PHOTOSHOP_CLIENT_ID` + `PHOTOSHOP_CLIENT_SECRET` → `createServerToServerAuth` (renews itself);
 * - `PHOTOSHOP_ACCESS_TOKEN` + `PHOTOSHOP_CLIENT_ID` → `createStaticTokenAuth`;
 * - the same with the `PS_FF_SERVICES_` prefix, used only when no `PHOTOSHOP_` credential is set;
 * - `PHOTOSHOP_IMS_URL` (optional) points at another IMS origin, e.g. the emulator.
 *
 * With an id, a secret and a token all set, the client credentials win since they renew. Empty values
 * count as unset.
 *
 * @param env The variables; default `process.env`.
 * @param overrides Options for the created auth (`fetch`, `clock`, `logger`, `store`, `scopes`, …);
 *   `overrides.imsUrl` wins over `PHOTOSHOP_IMS_URL`.
 * @returns The auth the variables describe.
 * @throws TypeError naming the variables when none is set, when a pair is incomplete (an id without a
 *   secret or token, a secret or token without an id) or when `PHOTOSHOP_IMS_URL` is malformed.
 * @example
 * const auth = authFromEnv(); // PHOTOSHOP_CLIENT_ID=… PHOTOSHOP_CLIENT_SECRET=… node app.js
 * @see https://developer.adobe.com/firefly-services/docs/photoshop/getting_started/
 */
export function authFromEnv(env: Env = process.env, overrides: AuthFromEnvOverrides = {}): PhotoshopAuth {
  const read = (name: string) => readVariable(env, name);
  const imsUrl = read("PHOTOSHOP_IMS_URL");
  if (imsUrl !== undefined) normalizeImsUrl(imsUrl, "PHOTOSHOP_IMS_URL");
  for (const names of FAMILIES) {
    const clientId = read(names.id);
    const clientSecret = read(names.secret);
    const accessToken = read(names.token);
    if (clientId === undefined && clientSecret === undefined && accessToken === undefined) continue;
    if (clientId === undefined) {
      configError(
        `${clientSecret === undefined ? names.token : names.secret} is set but ${names.id} is not: set it too`,
      );
    }
    // Validate here too, so that a malformed value is reported under its variable's name.
    headerSafe(clientId, names.id);
    if (clientSecret !== undefined) {
      return createServerToServerAuth({
        ...overrides,
        imsUrl: overrides.imsUrl ?? imsUrl,
        clientId,
        clientSecret,
      });
    }
    if (accessToken !== undefined) {
      headerSafe(accessToken, names.token);
      return createStaticTokenAuth({
        accessToken,
        clientId,
        clock: overrides.clock,
        logger: overrides.logger,
        onSecret: overrides.onSecret,
      });
    }
    configError(
      `${names.id} is set but ${names.secret} is not: set it (or set ${names.token} for a ready token)`,
    );
  }
  return configError(
    "no credentials in the environment: set PHOTOSHOP_CLIENT_ID and PHOTOSHOP_CLIENT_SECRET " +
      "(or PS_FF_SERVICES_CLIENT_ID and PS_FF_SERVICES_CLIENT_SECRET), " +
      "or PHOTOSHOP_ACCESS_TOKEN with PHOTOSHOP_CLIENT_ID",
  );
}
