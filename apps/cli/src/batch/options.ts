import type { GlobalOptions } from "../options.js";

/** The options of `psapi batch`. */
export interface BatchOptions extends GlobalOptions {
  op: string;
  out: string;
  journal?: string;
  report?: string;
  concurrency: number;
  maxAttempts: number;
  retryFailed?: boolean;
  rateLimits?: string;
  timeout: number;
  queue?: URL;
  batchId?: string;
  status?: boolean;
  wait: boolean;
  /** `--op composite`: the PSD (or image) every row fills. */
  template?: string;
  /** `--op composite`: create-composite's edits, with `{{column}}` placeholders. */
  edits?: string;
  /** `--op composite`: the renditions' type. */
  type?: "png" | "jpeg" | "tiff" | "psd";
  /** `--retention`, in ms. */
  retention?: number;
}

/** The options of `psapi worker`. */
export interface WorkerOptions extends GlobalOptions {
  queue: URL;
  concurrency: number;
  maxAttempts: number;
  rateLimits: string;
  timeout: number;
  lockDuration: number;
}
