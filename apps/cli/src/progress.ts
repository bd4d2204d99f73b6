/** The part of a stream the progress line needs: `process.stderr` fits. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  /** The terminal's width; the line is cut to fit, since a wrapped line cannot be redrawn in place. */
  readonly columns?: number;
  write(text: string): unknown;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Where the line is drawn. Nothing is written unless `stream.isTTY` is true. */
  stream: ProgressStream;
  /** What is being waited for, e.g. `"mask job 1f2e…"`. */
  label: string;
  /** Milliseconds since the epoch; injected by tests. */
  now: () => number;
  /** How often the elapsed time is redrawn, in milliseconds. Default 100. */
  intervalMs?: number;
}

/** A live status line: the job state and the elapsed time. */
export interface Progress {
  /** Records the latest job state and redraws. */
  update(state: string): void;
  /** Stops redrawing and clears the line, so the next output starts on a clean line. */
  stop(): void;
}

const CLEAR_LINE = "\r\u001b[2K";

/** A job id (a UUID): shown by its first 8 characters, the whole id is printed once the job ends. */
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/**
 * Draws `running · 3.2s · mask job 1f2e4a5b…` on one terminal line, redrawn as time passes: state
 * and elapsed time first, so that a narrow terminal cuts the label, not them; a job id in the label
 * is shortened to 8 characters. Silent when the stream is not a terminal, so that piped or logged
 * output holds only results.
 *
 * @param options - See {@link ProgressOptions}.
 * @returns A {@link Progress}; call `stop()` when the wait ends, however it ends.
 * @example
 * const progress = createProgress({ stream: process.stderr, label: "mask job", now: Date.now });
 * progress.update("running");
 * progress.stop();
 */
export function createProgress(options: ProgressOptions): Progress {
  const { stream, label, now } = options;
  if (stream.isTTY !== true) return { update() {}, stop() {} };
  const startedAt = now();
  let state = "submitted";
  const shown = label.replace(UUID, (id) => `${id.slice(0, 8)}…`);
  const draw = () => {
    const seconds = ((now() - startedAt) / 1000).toFixed(1);
    const line = `${state} · ${seconds}s · ${shown}`;
    // A pty that reports 0 columns (some CI terminals) has no known width: use the usual 80.
    const width = (stream.columns || 80) - 1;
    stream.write(`${CLEAR_LINE}${line.length > width ? `${line.slice(0, Math.max(0, width - 1))}…` : line}`);
  };
  const timer = setInterval(draw, options.intervalMs ?? 100);
  // A progress line must never keep the process alive on its own.
  timer.unref();
  draw();
  return {
    update(next) {
      state = next;
      draw();
    },
    stop() {
      clearInterval(timer);
      stream.write(CLEAR_LINE);
    },
  };
}
