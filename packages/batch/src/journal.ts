import { randomUUID } from "node:crypto";
import { mkdir, open, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { BatchError } from "./errors.js";

/** One transition of one input, as written to the journal (one JSON line each). */
export type JournalEvent =
  | { readonly event: "submitting"; readonly key: string; readonly attempt: number }
  | {
      readonly event: "accepted";
      readonly key: string;
      readonly attempt: number;
      readonly jobId: string;
      readonly statusUrl: string;
    }
  | {
      readonly event: "succeeded";
      readonly key: string;
      readonly attempt: number;
      readonly jobId: string;
      /** The local file written, or the output URL without its query. */
      readonly output?: string;
    }
  | {
      readonly event: "failed";
      readonly key: string;
      readonly attempt: number;
      readonly jobId?: string;
      readonly error: string;
      /** No attempt is left, or the error is one that would repeat. */
      readonly final: boolean;
    };

/** Where one input stands, replayed from its transitions. */
export interface InputState {
  readonly status: "submitting" | "accepted" | "succeeded" | "failed";
  /** Attempts started (submissions sent or about to be). */
  readonly attempts: number;
  readonly jobId?: string;
  readonly statusUrl?: string;
  readonly output?: string;
  readonly error?: string;
  /** `failed` with no attempt left. */
  readonly final?: boolean;
  /** Epoch ms of the first and the last transition. */
  readonly firstAt: number;
  readonly lastAt: number;
  /**
   * Times a submission's outcome was unknown (the process died, or the connection dropped, after
   * it was sent and before its answer was recorded), so the next attempt may duplicate it.
   */
  readonly inDoubt: number;
}

/**
 * What a batch keeps its progress in: the file journal of one machine, or Redis for a fleet.
 * `record` resolves once the transition is durable.
 */
export interface BatchJournal {
  /** Names the batch's storage objects; stable across runs of one journal. */
  readonly batchId: string;
  /** The operation the journal was started with. */
  readonly operation: string;
  state(key: string): Promise<InputState | undefined>;
  record(event: JournalEvent): Promise<void>;
  close(): Promise<void>;
}

/** A journal in a file ({@link openFileJournal}). */
export interface FileJournal extends BatchJournal {
  /**
   * When the submissions the journal's earlier runs sent in the last `windowMs` (before it was
   * opened) can have reached the service at the latest, epoch ms: an answered one at its answer,
   * one the run died sending (in doubt) at the opening. A run that goes on from a killed one
   * counts them in its rate windows (`createMemoryRateLimiter(…).record`), since the service does.
   */
  recentSubmissions(windowMs: number): number[];
}

/** Applies one transition to an input's state: the one replay rule shared by every journal. */
export function applyEvent(state: InputState | undefined, event: JournalEvent, at: number): InputState {
  const base = { firstAt: state?.firstAt ?? at, lastAt: at, inDoubt: state?.inDoubt ?? 0 };
  switch (event.event) {
    case "submitting":
      return {
        ...base,
        status: "submitting",
        attempts: Math.max(state?.attempts ?? 0, event.attempt),
        // A submission that was sent and never answered nor recorded: its job may exist.
        inDoubt: base.inDoubt + (state?.status === "submitting" ? 1 : 0),
      };
    case "accepted":
      return {
        ...base,
        status: "accepted",
        attempts: event.attempt,
        jobId: event.jobId,
        statusUrl: event.statusUrl,
      };
    case "succeeded":
      return {
        ...base,
        status: "succeeded",
        attempts: event.attempt,
        jobId: event.jobId,
        ...(event.output !== undefined && { output: event.output }),
      };
    case "failed":
      return {
        ...base,
        status: "failed",
        attempts: event.attempt,
        ...((event.jobId ?? state?.jobId) !== undefined && { jobId: event.jobId ?? state?.jobId }),
        error: event.error,
        final: event.final,
      };
  }
}

interface Header {
  readonly event: "batch";
  readonly version: 1;
  readonly batchId: string;
  readonly operation: string;
}

/**
 * Opens (or creates) an append-only journal file: one JSON line per transition, each written and
 * fsync'd before `record` resolves, so a process killed at any moment leaves every recorded
 * transition on disk. Transitions recorded together share one write and one fsync.
 * A torn last line (the process died mid-write) is ignored on replay.
 *
 * @param path - The journal file.
 * @param operation - The batch's operation; a journal started with another one is refused.
 * @param now - Clock for the transition times. Default `Date.now`.
 * @throws TypeError when the file is not a psapi journal or belongs to another operation.
 * @example
 * const journal = await openFileJournal("out/batch.journal.jsonl", "mask");
 */
export async function openFileJournal(
  path: string,
  operation: string,
  now: () => number = Date.now,
): Promise<FileJournal> {
  await mkdir(dirname(path), { recursive: true });
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw error;
  });
  const states = new Map<string, InputState>();
  // Submissions of earlier runs: answered ones at their answer's time (the latest they can have
  // arrived), and those sent or about to be when the run died.
  const answered: number[] = [];
  const sending = new Set<string>();
  let header: Header | undefined;
  const lines = text.split("\n");
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let entry: (JournalEvent & { t?: number }) | Header;
    try {
      entry = JSON.parse(line) as (JournalEvent & { t?: number }) | Header;
    } catch {
      // Only the last line can be torn by a crash; anything else means this is not our file.
      if (index === lines.length - 1) continue;
      throw new BatchError("invalid-journal", `${path} line ${index + 1} is not a journal line`, {
        input: path,
      });
    }
    if (entry.event === "batch") {
      header = entry;
      continue;
    }
    if (header === undefined)
      throw new BatchError("invalid-journal", `${path} is not a psapi batch journal`, { input: path });
    states.set(entry.key, applyEvent(states.get(entry.key), entry, entry.t ?? 0));
    if (entry.event === "submitting") sending.add(entry.key);
    else if (sending.delete(entry.key) && (entry.event === "accepted" || entry.event === "failed")) {
      answered.push(entry.t ?? 0);
    }
  }
  const opened = now();
  if (header !== undefined && header.operation !== operation) {
    throw new BatchError(
      "invalid-journal",
      `${path} is the journal of a ${header.operation} batch, not ${operation}: use another --journal`,
      { input: path },
    );
  }
  const handle = await open(path, "a");
  // A crash can leave a last line without its newline: cut it off, so the file stays whole lines.
  if (text !== "" && !text.endsWith("\n")) {
    await handle.truncate(Buffer.byteLength(text.slice(0, text.lastIndexOf("\n") + 1)));
  }
  let pending: { line: string; done: () => void; fail: (error: unknown) => void }[] = [];
  let flushing: Promise<void> | undefined;

  async function flush(): Promise<void> {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      try {
        await handle.write(batch.map((entry) => entry.line).join(""));
        await handle.datasync();
        for (const entry of batch) entry.done();
      } catch (error) {
        for (const entry of batch) entry.fail(error);
      }
    }
    flushing = undefined;
  }

  function append(entry: object): Promise<void> {
    return new Promise((done, fail) => {
      pending.push({ line: `${JSON.stringify(entry)}\n`, done, fail });
      flushing ??= flush();
    });
  }

  if (header === undefined) {
    header = { event: "batch", version: 1, batchId: randomUUID(), operation };
    await append(header);
  }
  const { batchId } = header;
  return {
    batchId,
    operation,
    recentSubmissions(windowMs) {
      return [...answered.filter((at) => at > opened - windowMs), ...[...sending].map(() => opened)];
    },
    async state(key) {
      return states.get(key);
    },
    async record(event) {
      const t = now();
      await append({ ...event, t });
      states.set(event.key, applyEvent(states.get(event.key), event, t));
    },
    async close() {
      await flushing;
      await handle.close();
    },
  };
}
