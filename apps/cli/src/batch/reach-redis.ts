import { abortable, type Clock, startDeadline, systemClock } from "@psapi/core";
import { CliError } from "../cli-error.js";
import { ExitCode } from "../exit-codes.js";

/**
 * Checks that the `--queue` Redis answers a `PING` before `psapi batch --queue` waits on it: the
 * fleet's patient connection waits out an outage without a word, so a mistyped host or port would
 * leave the command printing nothing, forever. The check gives up at the first failed connection
 * attempt (a refused or unknown host fails within a round trip, an unanswered one within the fail-fast
 * connection's 2 s connect limit, twice), and in any case after `timeoutMs` or on `signal` (Ctrl-C).
 *
 * @param url - The `--queue` URL (only its host is ever printed).
 * @param options - `timeoutMs`: the bound (the command's `--timeout`); `signal`: Ctrl-C; `clock`:
 *   the time source of the bound (a test's fake clock).
 * @throws {CliError} (network, exit code 4) `cannot reach Redis at <host>: <reason>`.
 * @example
 * await reachRedis(options.queue, { timeoutMs: options.timeout * 1000, signal: session.context.signal });
 */
export async function reachRedis(
  url: URL,
  options: { timeoutMs: number; signal: AbortSignal; clock?: Clock },
): Promise<void> {
  const { createFailFastRedis } = await import("@psapi/batch");
  const redis = createFailFastRedis(url.href, { retryStrategy: () => null });
  let lost: Error | undefined;
  redis.on("error", (error: Error) => {
    lost ??= error;
  });
  const deadline = startDeadline(
    options.clock ?? systemClock,
    options.timeoutMs,
    options.signal,
    `no answer within ${options.timeoutMs / 1000} s`,
  );
  try {
    await abortable(redis.ping(), deadline.signal);
  } catch (error) {
    if (options.signal.aborted) throw options.signal.reason;
    const cause = lost ?? error;
    const code = (cause as { code?: unknown }).code;
    const reason = deadline.signal.aborted
      ? `no answer within ${options.timeoutMs / 1000} s`
      : typeof code === "string"
        ? code
        : cause instanceof Error
          ? cause.message
          : String(cause);
    throw new CliError(`cannot reach Redis at ${url.host}: ${reason}`, {
      exitCode: ExitCode.network,
      hint: "check the host and port of --queue, and that redis-server is running there",
    });
  } finally {
    deadline.dispose();
    redis.disconnect();
  }
}

/**
 * The password of a Redis URL, decoded: a credential the run scrubs from all it writes (a Redis
 * error may quote the URL; a user may have put it in an input's name).
 */
export function redisPassword(url: URL): string | undefined {
  if (!url.password) return undefined;
  try {
    return decodeURIComponent(url.password);
  } catch {
    return url.password;
  }
}
