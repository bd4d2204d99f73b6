import { dirname, join } from "node:path";
import { maskFileName } from "@psapi/batch/hosted-results";
import {
  currentSource,
  downloadOutput,
  downloadSingleResult,
  inputStem,
  succeededJob,
  waitForOutputs,
} from "./current-job.js";
import { displayPath } from "./display.js";
import { checkJobInput } from "./job.js";
import type { Session } from "./session.js";
import type { Target } from "./target.js";
import { type InputSource, prepareOutPath } from "./validate.js";

/** What `mask-body-parts` is asked to do. */
export interface MaskBodyPartsJob {
  readonly input: InputSource;
  /** The person's mask (from `remove-background --mode mask` or `mask-objects`). */
  readonly mask: InputSource;
  readonly granular: boolean;
  /** `--out-dir`: one PNG per body part; `out/<name>-body-parts` by default. */
  readonly outDir: string | undefined;
  readonly timeoutMs: number;
  readonly cwd: string;
}

/**
 * Runs a mask-body-parts job end to end and downloads every part's mask to
 * `<out-dir>/<n>-<label>.png`.
 *
 * @returns One line per part (label, score, box, file) and the same as data.
 */
export async function runMaskBodyParts(
  session: Session,
  target: Target,
  request: MaskBodyPartsJob,
): Promise<{ text: string; data: Record<string, unknown> }> {
  checkJobInput(target, request.input);
  checkJobInput(target, request.mask);
  const dir = request.outDir ?? `out/${inputStem(request.input)}-body-parts`;
  const probe = await prepareOutPath(join(dir, ".psapi-probe"), request.cwd);
  const image = await currentSource(session, target, request.input);
  const mask = await currentSource(session, target, request.mask);
  const job = await target.client.maskBodyParts(
    { image, mask, ...(request.granular ? { useGranularLabels: true } : {}) },
    { signal: session.context.signal },
  );
  const { files } = await waitForOutputs(session, job, {
    label: `mask-body-parts job ${job.jobId}`,
    timeoutMs: request.timeoutMs,
  });
  const parts = [];
  for (const [index, file] of files.entries()) {
    const path = join(dirname(probe), maskFileName(index, file.label));
    const written = await downloadOutput(session, target, file, path);
    parts.push({
      label: file.label,
      score: file.score,
      boundingBox: file.boundingBox,
      path,
      bytes: written.data.bytes,
    });
  }
  const lines = parts.map(({ label, score, boundingBox: box, path }) => {
    const where = box === undefined ? "" : ` at ${box.x},${box.y} ${box.width}×${box.height}`;
    return `${label ?? "?"} (score ${score?.toFixed(2) ?? "?"})${where} → ${displayPath(path, request.cwd)}`;
  });
  return {
    text: [`${parts.length} body-part masks from job ${job.jobId}:`, ...lines].join("\n"),
    data: { target: target.description, job: succeededJob(job), parts },
  };
}

/** What `refine-mask` is asked to do. */
export interface RefineMaskJob {
  readonly input: InputSource;
  readonly mask: InputSource;
  /** `colorDecontamination`: the refined cutout (RGBA) instead of the refined mask. */
  readonly cutout: boolean;
  readonly out: string | undefined;
  readonly timeoutMs: number;
  readonly cwd: string;
}

/** Runs a refine-mask job end to end and downloads the refined mask (or cutout) to `--out`. */
export async function runRefineMask(
  session: Session,
  target: Target,
  request: RefineMaskJob,
): Promise<{ text: string; data: Record<string, unknown> }> {
  checkJobInput(target, request.input);
  checkJobInput(target, request.mask);
  const outPath = await prepareOutPath(
    request.out ??
      `out/${inputStem(request.input)}-${request.cutout ? "refined-cutout" : "refined-mask"}.png`,
    request.cwd,
  );
  const image = await currentSource(session, target, request.input);
  const mask = await currentSource(session, target, request.mask);
  const job = await target.client.refineMask(
    { image, mask, ...(request.cutout ? { colorDecontamination: true } : {}) },
    { signal: session.context.signal },
  );
  return downloadSingleResult(session, target, job, {
    label: `refine-mask job ${job.jobId}`,
    timeoutMs: request.timeoutMs,
    outPath,
    cwd: request.cwd,
  });
}
