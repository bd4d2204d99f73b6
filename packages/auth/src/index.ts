export {
  type AuthFromEnvOverrides,
  authFromEnv,
  CREDENTIAL_VARIABLES,
  hasEnvCredentials,
} from "./from-env.js";
export { errorSummary, ImsError } from "./ims-error.js";
export { createJwtAuth, type JwtAuthOptions } from "./jwt.js";
export { DEFAULT_IMS_URL, type ImsOptions, type LifecycleOptions } from "./options.js";
export { createRefreshTokenAuth, type RefreshTokenAuthOptions } from "./refresh-token.js";
export { createServerToServerAuth, type ServerToServerAuthOptions } from "./server-to-server.js";
export { createStaticTokenAuth, type StaticTokenAuthOptions } from "./static-token.js";
export { createMemoryTokenStore, tokenStoreKey } from "./token-store.js";
export type { AccessToken, PhotoshopAuth, TokenStore } from "./types.js";
