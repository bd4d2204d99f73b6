export { type CreateEmulatorOptions, createEmulator } from "./app.js";
export { type EmulatorClock, systemClock } from "./clock.js";
export type { EmulatorEnv, EmulatorLogger } from "./context.js";
export type { FaultRule } from "./faults.js";
export type { JournalEntry } from "./journal.js";
export {
  ADOBE_RATE_LIMITS,
  DEFAULT_SCOPES,
  DEMO_CLIENT,
  type EmulatorClient,
  type EmulatorLimits,
  type EmulatorOptions,
  type FaultRuleInput,
  type FaultStatus,
  type Imaging,
  type JobTiming,
  type RateLimitRule,
} from "./options.js";
