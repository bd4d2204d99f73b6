import { OPERATIONS } from "@psapi/openapi-types/operations";
import { LogSafeError } from "./log-safe-error.js";

type Operations = typeof OPERATIONS;
/** The operationIds that Adobe retired (`x-psapi-retired` in the generated operation table). */
export type RetiredOperation = {
  [K in keyof Operations]: Operations[K] extends { retired: object } ? K : never;
}[keyof Operations];

/**
 * What to call instead of each retired operation, as a client call. Typed by the generated table,
 * so an operation newly marked retired in the spec does not compile until it has an entry here.
 */
const REPLACEMENTS: Record<RetiredOperation, string | undefined> = {
  hello: undefined,
  createMask: 'removeBackground({ image, mode: "mask" })',
  removeBackground: 'removeBackground({ image, mode: "cutout" })',
  getSenseiJobStatus: "getRemoveBackgroundStatus(jobId)",
  getDocumentManifest: "generateManifest({ image, outputs })",
  getPsdJobStatus: "getManifestStatus(jobId)",
};

/**
 * A call to an operation Adobe has retired, refused before anything is sent because the target is
 * Adobe's own host (`*.adobe.io`), where it can only fail with an opaque 404. Against any other
 * base URL (psapi's emulator, a proxy) retired operations are still sent.
 *
 * @example
 * try { await client.createMask(body); }
 * catch (error) { if (error instanceof RetiredOperationError) console.log(error.replacement); }
 * @see `@psapi/openapi` photoshop.yaml (`x-psapi-retired` on each operation)
 */
export class RetiredOperationError extends LogSafeError {
  override readonly name = "RetiredOperationError";
  /** The retired operationId in `photoshop.yaml`, e.g. `createMask`. */
  declare readonly operation: RetiredOperation;
  /** `METHOD /path` of the retired endpoint. */
  declare readonly endpoint: string;
  /** The day Adobe retired it (`YYYY-MM-DD`). */
  declare readonly retiredOn: string;
  /** The client call that replaces it, or undefined when there is no successor (`hello`). */
  declare readonly replacement: string | undefined;

  /** @param operation - The retired operationId. */
  constructor(operation: RetiredOperation) {
    const {
      method,
      path,
      retired: { on: retiredOn },
    } = OPERATIONS[operation];
    const replacement = REPLACEMENTS[operation];
    super(
      `[@psapi/client] ${method} ${path} was retired by Adobe on ${retiredOn}; ` +
        (replacement === undefined ? "it has no successor" : `use ${replacement} instead`),
    );
    Object.assign(this, { operation, endpoint: `${method} ${path}`, retiredOn, replacement });
  }
}
