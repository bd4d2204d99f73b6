export { type CreateEmulatorOptions, createEmulator } from "./app.js";
export type { EmulatorEnv, EmulatorLogger } from "./context.js";
export type { FaultRule } from "./control/faults.js";
export type { JournalEntry } from "./control/journal.js";
export {
  DEFAULT_ALLOWED_SCOPES,
  DEMO_CLIENT,
  type EmulatorClient,
  type EmulatorLimits,
  type EmulatorOptions,
  type FaultRuleInput,
  type FaultStatus,
  type Imaging,
  type JobTiming,
} from "./options.js";
