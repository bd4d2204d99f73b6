export { abortable } from "./abortable.js";
export { backoffDelay } from "./backoff.js";
export { type Clock, systemClock } from "./clock.js";
export { type Deadline, startDeadline } from "./deadline.js";
export { isRecord } from "./is-record.js";
export { isLoopback } from "./loopback.js";
export { ADOBE_RATE_RULES, type RateRule, rateRuleMatcher } from "./rate-rules.js";
export {
  createSecretRegistry,
  createSecretScrubber,
  isSecretName,
  REDACTED,
  redactDeep,
  redactError,
  redactSecrets,
  redactSecretsInBody,
  redactText,
  redactUrl,
  type SecretRegistry,
  scrubDeep,
  secretForms,
} from "./redact.js";
export { parseRetryAfter } from "./retry-after.js";
export type { FetchLike, LogFields, Logger } from "./types.js";
