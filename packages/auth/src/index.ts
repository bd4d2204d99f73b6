export { type Clock, systemClock } from "./clock.js";
export type { Middleware } from "./middleware-type.js";
export { isSecretName, REDACTED, redactText, redactUrl } from "./redact.js";
export type { AccessToken, Logger, PhotoshopAuth, TokenStore } from "./types.js";
