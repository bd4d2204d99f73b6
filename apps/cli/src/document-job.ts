import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { CreateArtboardRequest, CreateCompositeRequest, DocumentOutput } from "@psapi/client";
import { isRecord, redactUrl } from "@psapi/core";
import { usageError } from "./cli-error.js";
import { currentSource, downloadOutput, inputStem, waitForOutputs } from "./current-job.js";
import { displayPath } from "./display.js";
import { checkJobInput } from "./job.js";
import type { Session } from "./session.js";
import type { Target } from "./target.js";
import { type InputSource, parseInputArgument, prepareOutPath } from "./validate.js";

/** `--type` choices: the media type each asks for and the file extension it gets. */
export const DOCUMENT_TYPES = {
  png: { mediaType: "image/png", extension: "png" },
  jpeg: { mediaType: "image/jpeg", extension: "jpg" },
  tiff: { mediaType: "image/tiff", extension: "tif" },
  psd: { mediaType: "image/vnd.adobe.photoshop", extension: "psd" },
} as const;
export type DocumentType = keyof typeof DOCUMENT_TYPES;

type Edits = NonNullable<CreateCompositeRequest["edits"]>;

/**
 * Reads an edits file: the `edits` object of create-composite (`{document?, layers?}`), as JSON.
 * Checked here only for its shape (the API checks every field and says which is wrong), so that a
 * typo in the file is a usage error with the file's name, not a failed job.
 *
 * @throws {CliError} (usage) When the file cannot be read, is not JSON, or is not an edits object.
 */
export async function readEditsFile(path: string, cwd: string): Promise<{ edits: Edits; dir: string }> {
  const absolute = resolve(cwd, path);
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
  } catch {
    throw usageError(`--edits ${path}: cannot read the file`, "give the path of a JSON file");
  }
  let edits: unknown;
  try {
    edits = JSON.parse(text);
  } catch (error) {
    throw usageError(`--edits ${path}: not valid JSON (${(error as SyntaxError).message})`, "fix the JSON");
  }
  const keys = isRecord(edits) ? Object.keys(edits) : [];
  const extra = keys.filter((key) => key !== "document" && key !== "layers");
  if (!isRecord(edits) || extra.length > 0 || (edits.layers !== undefined && !Array.isArray(edits.layers))) {
    throw usageError(
      `--edits ${path}: expected {"layers": [...], "document": {...}}${extra.length > 0 ? `, not ${extra.map((k) => `"${k}"`).join(", ")}` : ""}`,
      "the file holds create-composite's edits: see psapi composite --help",
    );
  }
  return { edits: edits as Edits, dir: dirname(absolute) };
}

/**
 * Every `source.url` in the edits that names a local file (a path, relative to the edits file)
 * becomes the URL of that file uploaded to the emulator's storage; URLs stay as they are.
 *
 * @throws {CliError} (usage) For a missing file, or a local file on a target that reads URLs only.
 */
async function resolveEditFiles(session: Session, target: Target, edits: Edits, dir: string): Promise<Edits> {
  const resolveSource = async (value: unknown, pointer: string): Promise<unknown> => {
    if (Array.isArray(value))
      return Promise.all(value.map((item, i) => resolveSource(item, `${pointer}/${i}`)));
    if (!isRecord(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const at = `${pointer}/${key}`;
      if (
        key === "source" &&
        isRecord(item) &&
        typeof item.url === "string" &&
        !/^[a-z][a-z0-9+.-]*:\/\//i.test(item.url)
      ) {
        let input: InputSource;
        try {
          input = parseInputArgument(resolve(dir, item.url));
        } catch (error) {
          throw usageError(
            `--edits ${at}/url: ${item.url}: ${(error as Error).message.replace(/\.$/, "")}`,
            "a source is a local file (emulator only) or an https URL",
          );
        }
        checkJobInput(target, input);
        out[key] = { ...item, ...(await currentSource(session, target, input)).source };
      } else {
        out[key] = await resolveSource(item, at);
      }
    }
    return out;
  };
  return (await resolveSource(edits, "")) as Edits;
}

/** A hosted output of the given type: the API keeps it, the CLI downloads it. */
export function hostedOutput(type: DocumentType): DocumentOutput {
  return { destination: { validityPeriod: 3600 }, mediaType: DOCUMENT_TYPES[type].mediaType };
}

/** What `psapi composite` is asked to do. */
export interface CompositeJob {
  readonly input: InputSource;
  readonly editsFile: string | undefined;
  readonly type: DocumentType;
  readonly width: number | undefined;
  readonly out: string | undefined;
  readonly timeoutMs: number;
  readonly cwd: string;
}

/**
 * Runs a create-composite job end to end: `--out` checked, the edits file read and its local files
 * uploaded, the document to a URL, submit, wait, download the one hosted output.
 */
export async function runComposite(
  session: Session,
  target: Target,
  request: CompositeJob,
): Promise<{ text: string; data: Record<string, unknown> }> {
  checkJobInput(target, request.input);
  const { extension } = DOCUMENT_TYPES[request.type];
  const outPath = await prepareOutPath(
    request.out ?? `out/${inputStem(request.input)}-composite.${extension}`,
    request.cwd,
  );
  const read =
    request.editsFile === undefined ? undefined : await readEditsFile(request.editsFile, request.cwd);
  const edits =
    read === undefined ? undefined : await resolveEditFiles(session, target, read.edits, read.dir);
  const image = await currentSource(session, target, request.input);
  const output = {
    ...hostedOutput(request.type),
    ...(request.width === undefined ? {} : { width: request.width }),
  };
  const job = await target.client.createComposite(
    { image, ...(edits === undefined ? {} : { edits }), outputs: [output] },
    { signal: session.context.signal },
  );
  return downloadOne(session, target, job, `composite job ${job.jobId}`, outPath, request);
}

/** What `psapi artboard` is asked to do. */
export interface ArtboardJob {
  readonly inputs: readonly InputSource[];
  readonly spacing: number | undefined;
  readonly type: DocumentType;
  readonly out: string | undefined;
  readonly timeoutMs: number;
  readonly cwd: string;
}

/** Runs a create-artboard job end to end: every image to a URL, submit, wait, download. */
export async function runArtboard(
  session: Session,
  target: Target,
  request: ArtboardJob,
): Promise<{ text: string; data: Record<string, unknown> }> {
  for (const input of request.inputs) checkJobInput(target, input);
  const { extension } = DOCUMENT_TYPES[request.type];
  const outPath = await prepareOutPath(request.out ?? `out/artboards.${extension}`, request.cwd);
  const images: CreateArtboardRequest["images"] = [];
  for (const input of request.inputs) images.push(await currentSource(session, target, input));
  const job = await target.client.createArtboard(
    {
      images,
      ...(request.spacing === undefined ? {} : { artboardSpacing: request.spacing }),
      outputs: [hostedOutput(request.type)],
    },
    { signal: session.context.signal },
  );
  return downloadOne(session, target, job, `artboard job ${job.jobId}`, outPath, request);
}

/** Waits for a document job with progress, downloads its one hosted output to `outPath`, and words the result. */
export async function downloadOne(
  session: Session,
  target: Target,
  job: Awaited<ReturnType<Target["client"]["createComposite"]>>,
  label: string,
  outPath: string,
  request: { timeoutMs: number; cwd: string },
): Promise<{ text: string; data: Record<string, unknown> }> {
  const { files } = await waitForOutputs(session, job, { label, timeoutMs: request.timeoutMs });
  const [file] = files as [(typeof files)[number]];
  const written = await downloadOutput(session, target, file, outPath);
  return {
    text: `wrote ${displayPath(outPath, request.cwd)} (${written.what})`,
    data: {
      target: target.description,
      job: { id: job.jobId, statusUrl: redactUrl(job.statusUrl), status: "succeeded" },
      output: { path: outPath, mediaType: file.mediaType, ...written.data },
    },
  };
}
