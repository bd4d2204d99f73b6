import type { RetiredOperation } from "@psapi/client";
import {
  type JobFailure,
  type JobHandle,
  type JobStatus,
  jobFailures,
  type PhotoshopClient,
} from "@psapi/client/all";
import type { Command } from "commander";
import { usageError } from "../cli-error.js";
import { type GlobalOptions, timeoutOption } from "../options.js";
import type { Session } from "../session.js";
import { parseUrlArgument } from "../validate.js";

/**
 * The status endpoints, current contract first, and the job id at the end of each; a retired one
 * names its operation, which Adobe's own host no longer serves.
 */
const STATUS_PATHS: readonly {
  kind: "v2" | "masking" | "sensei" | "psd";
  pattern: RegExp;
  retired?: RetiredOperation;
}[] = [
  { kind: "v2", pattern: /\/v2\/status\/([^/]+)\/?$/ },
  { kind: "masking", pattern: /\/v1\/status\/([^/]+)\/?$/ },
  { kind: "sensei", pattern: /\/sensei\/status\/([^/]+)\/?$/, retired: "getSenseiJobStatus" },
  { kind: "psd", pattern: /\/psdService\/status\/([^/]+)\/?$/, retired: "getPsdJobStatus" },
];

/** A status body as far as the summary reads it. */
interface StatusSummary {
  status?: unknown;
  result?: { outputs?: readonly { destination?: { url?: unknown }; mediaType?: unknown }[] };
  output?: { href?: unknown };
  outputs?: readonly { input?: unknown; status?: unknown; errors?: { title?: unknown } }[];
}

/**
 * `psapi status <job-url>`: shows a job's state once, or waits for it with `--wait`. The URL must
 * be on the target's origin, because the request carries the access token.
 *
 * @param program - The program to add the command to.
 * @param session - The run.
 * @example
 * registerStatus(program, session);
 * await program.parseAsync(["node", "psapi", "status", "<job-url>", "--wait"]);
 */
export function registerStatus(program: Command, session: Session): void {
  program
    .command("status")
    .argument("<job-url>", "the job's status URL, as the job's command printed it", parseUrlArgument)
    .description(
      "show a job's state (GET /v2/status/{id}: remove-background, auto-crop and the v2 documents and edits; /v1/status/{id}: masking; retired: /sensei/status/{id}, /pie/psdService/status/{id})",
    )
    .option("--wait", "wait until the job succeeds or fails")
    .addOption(timeoutOption())
    .addHelpText(
      "after",
      "\nExamples:\n  psapi status https://photoshop-api.adobe.io/v2/status/f54e0fcb-260b-47c3-b520-de0d17dc2b67 --wait\n" +
        "  psapi status https://image.adobe.io/v1/status/f54e0fcb-260b-47c3-b520-de0d17dc2b67",
    )
    .action(async (jobUrl: URL, _options: unknown, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions & { wait?: boolean; timeout: number }>();
      const match = STATUS_PATHS.map(({ kind, pattern, retired }) => ({
        kind,
        retired,
        id: pattern.exec(jobUrl.pathname)?.[1],
      })).find((candidate) => candidate.id !== undefined);
      if (match?.id === undefined) {
        throw usageError(
          `not a job status URL: ${jobUrl.origin}${jobUrl.pathname}`,
          "expected …/v2/status/<jobId> or …/v1/status/<jobId> (retired: …/sensei/status/<jobId>, …/pie/psdService/status/<jobId>)",
        );
      }
      const jobId = decodeURIComponent(match.id);
      // The target comes from --base-url or the environment, never from the job URL itself: the
      // request carries the access token, so it only goes to the API the credentials are for.
      const target = await session.openTarget({ baseUrl: options.baseUrl });
      if (target.kind === "embedded") {
        throw usageError(
          "the embedded emulator starts empty on every run, so it knows no earlier job",
          "pass --base-url of a running emulator (psapi emulator), or set credentials for Adobe",
        );
      }
      if (match.retired !== undefined && target.kind === "adobe") {
        // Gone from Adobe's own host: said at once, and nothing is sent (--wait would poll a 404).
        const [{ RetiredOperationError }, { retiredCommandLine, retiredOperationError }] = await Promise.all([
          import("@psapi/client"),
          import("../retired-command.js"),
        ]);
        session.output.note(retiredCommandLine(match.retired));
        throw retiredOperationError(new RetiredOperationError(match.retired));
      }
      // The Photoshop API v2 host (its document jobs' status) receives the token too.
      const origins = [target.baseUrl.origin, new URL(target.client.photoshopApiUrl).origin];
      if (!origins.includes(jobUrl.origin)) {
        throw usageError(
          `refusing to send credentials to ${jobUrl.host}: the job URL must be on ${target.baseUrl.host}`,
          `pass --base-url ${jobUrl.origin} if that is the API that runs the job`,
        );
      }
      const { signal } = session.context;
      const [{ JobFailedError }, { waitWithProgress }, { redactDeep }] = await Promise.all([
        import("@psapi/client"),
        import("../job.js"),
        import("@psapi/core"),
      ]);
      const status = options.wait
        ? await waitWithProgress(session, jobHandle(target.client, jobId, jobUrl.href), {
            label: `job ${jobId}`,
            timeoutMs: options.timeout * 1000,
          })
        : match.kind === "v2"
          ? jobUrl.origin === target.baseUrl.origin
            ? await target.client.getRemoveBackgroundStatus(jobId, { signal })
            : await target.client.getManifestStatus(jobId, { signal })
          : match.kind === "masking"
            ? await target.client.getMaskingJobStatus(jobId, { signal })
            : match.kind === "sensei"
              ? await target.client.getMaskStatus(jobId, { signal })
              : await target.client.getPsdStatus(jobId, { signal });
      // A failed job is reported like one that fails during a wait: one error line, exit 1.
      const errors = failureErrors(status);
      if (errors !== undefined) throw new JobFailedError(jobId, jobUrl.href, errors, status);
      const shown = redactDeep(status) as StatusSummary;
      session.output.result(summarize(jobId, shown), { target: target.description, status: shown });
    });
}

function jobHandle(client: PhotoshopClient, jobId: string, statusUrl: string): JobHandle<JobStatus> {
  return { jobId, statusUrl, wait: (options) => client.waitForJob(statusUrl, options) };
}

/**
 * The errors of a failed job (psdService: those of its failed outputs; every other shape: what
 * `jobFailures` reads from its top level).
 */
function failureErrors(status: JobStatus): JobFailure[] | undefined {
  if ("outputs" in status) {
    const failed = status.outputs.filter((output) => output.status === "failed");
    return failed.length === 0
      ? undefined
      : failed.flatMap((output) => (output.errors ? [output.errors] : []));
  }
  return status.status === "failed" ? jobFailures(status) : undefined;
}

function summarize(jobId: string, status: StatusSummary): string {
  if (status.outputs !== undefined) {
    return [
      `job ${jobId}:`,
      ...status.outputs.map(
        (output) =>
          `  ${String(output.input ?? "output")}: ${String(output.status)}` +
          (output.errors?.title === undefined ? "" : ` (${String(output.errors.title)})`),
      ),
    ].join("\n");
  }
  const lines = [`job ${jobId}: ${String(status.status)}`];
  if (typeof status.output?.href === "string") lines.push(`output: ${status.output.href}`);
  for (const output of status.result?.outputs ?? []) {
    if (typeof output.destination?.url === "string")
      lines.push(`output: ${output.destination.url} (${String(output.mediaType ?? "?")})`);
  }
  return lines.join("\n");
}
