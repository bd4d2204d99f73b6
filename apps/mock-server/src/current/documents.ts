import type { components } from "@psapi/openapi-types/photoshop-current";
import type { Context, Handler } from "hono";
import { type EmulatorContext, type EmulatorEnv, ownOrigins, publicOrigin } from "../context.js";
import { bodyValidator } from "../http/openapi-validator.js";
import {
  checkComposite,
  createArtboard,
  createComposite,
  DocumentError,
  type DocumentJobOptions,
  type DocumentJobResult,
  psdHeaderSize,
} from "../imaging/composite/index.js";
import { DEFAULT_IMAGE_LIMITS, ImageDecodeError } from "../imaging/index.js";
import { checkDimensions, inspectImage, sniffFormat } from "../imaging/input.js";
import { statusUrl } from "../jobs/job-views.js";
import { fileName, type Job, type TaskContext } from "../jobs/jobs.js";
import { extensionOf, HOSTED_VALIDITY_SECONDS, hostOutput } from "./hosted.js";
import { readImageInputs } from "./inputs.js";
import { invalidRequest, readRequestBody } from "./request.js";
import { familyTask } from "./tasks.js";

type Schemas = components["schemas"];
type DocumentOutput = Schemas["DocumentOutput"];
type LayerEdit = Schemas["LayerEdit"];

/** A `source` of the request: its JSON pointer and the resource it names. */
export type Source = readonly [pointer: string, resource: Record<string, unknown>];

/** Every file a create-composite request names, with the JSON pointer of its `source`. */
function compositeSources(body: Schemas["CreateCompositeRequest"]): Source[] {
  const sources: Source[] = [];
  if ("source" in body.image) sources.push(["/image/source", body.image.source]);
  const walk = (entries: readonly LayerEdit[], base: string) => {
    for (const [i, entry] of entries.entries()) {
      const at = `${base}/${i}`;
      if (entry.image?.source) sources.push([`${at}/image/source`, entry.image.source]);
      if (entry.smartObject?.smartObjectFile)
        sources.push([`${at}/smartObject/smartObjectFile/source`, entry.smartObject.smartObjectFile.source]);
      if (entry.pixelMask?.source) sources.push([`${at}/pixelMask/source`, entry.pixelMask.source]);
      if (entry.children) walk(entry.children, `${at}/children`);
    }
  };
  walk(body.edits?.layers ?? [], "/edits/layers");
  for (const [i, font] of (body.fontOptions?.additionalFonts ?? []).entries()) {
    sources.push([`/fontOptions/additionalFonts/${i}/source`, font.source]);
  }
  return sources;
}

/**
 * Adobe's guides' cross-field rules that its schema cannot say, checked when the POST arrives
 * (422 `validation_error`, every problem listed).
 */
export function crossFieldProblems(body: {
  edits?: { layers?: LayerEdit[] };
  outputs: DocumentOutput[];
}): string[] {
  const problems: string[] = [];
  const walk = (entries: readonly LayerEdit[], base: string) => {
    for (const [i, entry] of entries.entries()) {
      const at = `${base}/${i}`;
      if (entry.transform && entry.transformMode !== "custom") {
        problems.push(`${at}/transform: transform is accepted only with transformMode custom`);
      }
      if (entry.type === "background_layer" && entry.operation.type === "move") {
        problems.push(`${at}/operation: a background layer cannot be moved`);
      }
      if (entry.children) walk(entry.children, `${at}/children`);
    }
  };
  walk(body.edits?.layers ?? [], "/edits/layers");
  for (const [i, output] of body.outputs.entries()) {
    const at = `/outputs/${i}`;
    const count = output.layers?.length ?? 0;
    if (output.cropMode === "layer_bounds" && count !== 1) {
      problems.push(
        `${at}/cropMode: layer_bounds is valid only for a single-layer export (one item in layers)`,
      );
    }
    if (
      count > 1 &&
      (output.mediaType === "image/vnd.adobe.photoshop" || output.mediaType === "vnd.adobe.photoshop")
    ) {
      problems.push(`${at}/layers: a PSD output exports one layer at most`);
    }
    if (output.iccProfile && output.mediaType.startsWith("document/vnd.adobe.cpsd")) {
      problems.push(`${at}/iccProfile: ICC profiles are not supported for Cloud PSD (PSDC) output`);
    }
    problems.push(...destinationProblems(at, output, "application/json"));
  }
  return problems;
}

/**
 * What the emulator refuses of an output's destination (422): a Creative Cloud path, and an image
 * embedded as anything but base64 (`textType`, the one output that is text, may be a string).
 */
export function destinationProblems(
  at: string,
  output: { destination: DocumentOutput["destination"]; mediaType: string },
  textType: string,
): string[] {
  const problems: string[] = [];
  if ("creativeCloudPath" in output.destination) {
    problems.push(`${at}/destination: Creative Cloud destinations are not available in the emulator`);
  }
  if (
    output.mediaType !== textType &&
    "embedded" in output.destination &&
    output.destination.embedded !== "base64"
  ) {
    problems.push(`${at}/destination/embedded: an image output can be embedded as base64 only`);
  }
  return problems;
}

/** Creative Cloud and Lightroom sources: the emulator has neither (422). */
function unreachableSources(sources: readonly Source[]): string[] {
  return sources.flatMap(([pointer, resource]) =>
    typeof resource.url === "string"
      ? []
      : [`${pointer}: Creative Cloud and Lightroom sources are not available in the emulator`],
  );
}

/**
 * Refuses an image or document over the emulator's size limits from its header alone (422), each
 * problem under the JSON pointer of the file's URL. Files of other kinds (fonts, action files) and
 * unreadable headers are left to the job.
 */
async function checkSizes(files: ReadonlyMap<string, Uint8Array>): Promise<string[]> {
  const problems: string[] = [];
  for (const [pointer, bytes] of files) {
    const format = sniffFormat(bytes);
    if (format === undefined) continue;
    try {
      if (format === "psd") {
        const size = psdHeaderSize(bytes);
        if (size) checkDimensions(size.width, size.height, DEFAULT_IMAGE_LIMITS);
      } else {
        await inspectImage(bytes, { maxDimension: DEFAULT_IMAGE_LIMITS.maxDimension, formats: [format] });
      }
    } catch (error) {
      if (!(error instanceof ImageDecodeError)) throw error;
      if (error.reason === "too-large") problems.push(`${pointer}/url: ${error.message}`);
    }
  }
  return problems;
}

/** The status's output item: the request's output echoed, its destination completed (edit's too). */
async function deliver(
  ctx: EmulatorContext,
  job: Job,
  outputs: readonly { destination: DocumentOutput["destination"]; mediaType: string }[],
  result: DocumentJobResult,
  { signal }: TaskContext,
  origins: ReadonlySet<string>,
): Promise<Schemas["V2JobStatus"]["result"]> {
  const items: Schemas["JobOutput"][] = [];
  for (const [i, output] of outputs.entries()) {
    const rendered = result.outputs[i];
    if (!rendered) throw new Error("[@psapi/mock-server] an output was not rendered");
    const { destination } = output;
    if ("url" in destination) {
      await ctx.assets.upload({ href: destination.url }, rendered.bytes, rendered.mediaType, origins, signal);
      items.push({ ...output, destination });
    } else if ("embedded" in destination) {
      const text = new TextDecoder().decode(rendered.bytes);
      const content =
        destination.embedded === "base64"
          ? Buffer.from(rendered.bytes).toString("base64")
          : destination.embedded === "json" && rendered.json
            ? rendered.json
            : text;
      items.push({ ...output, destination: { embedded: destination.embedded ?? "string", content } });
    } else {
      const seconds =
        "validityPeriod" in destination
          ? (destination.validityPeriod ?? HOSTED_VALIDITY_SECONDS)
          : HOSTED_VALIDITY_SECONDS;
      const href = hostOutput(
        ctx,
        job,
        `${i}.${extensionOf(rendered.mediaType)}`,
        rendered.bytes,
        rendered.mediaType,
        signal,
        seconds,
      );
      items.push({ ...output, destination: { url: href } });
    }
  }
  return {
    outputs: items,
    ...(result.warnings.length > 0 ? { additionalFields: { emulator: { warnings: result.warnings } } } : {}),
  };
}

/** The options of the engine for one request. */
function engineOptions(
  ctx: EmulatorContext,
  files: ReadonlyMap<string, Uint8Array>,
  title: string,
): DocumentJobOptions {
  return { files, mode: ctx.options.renderMode, limits: DEFAULT_IMAGE_LIMITS, title };
}

/** The title of a document job's JSON output: the input's file name, a new document's name. */
export function documentTitle(image: Schemas["CreateCompositeRequest"]["image"]): string {
  return "source" in image && "url" in image.source
    ? fileName(image.source.url)
    : ("name" in image && image.name) || "Untitled";
}

/** What one document route adds to {@link submitDocumentJob}. */
export interface DocumentJobRoute {
  kind: "create-composite" | "create-artboard" | "execute-actions" | "edit";
  /** Every file the request names. */
  sources: readonly Source[];
  /** The body's own problems, found before anything is downloaded (422). */
  problems: readonly string[];
  title: string;
  /** Checks the request against its files when the POST arrives (may throw an answer). */
  check?(options: DocumentJobOptions): Promise<void>;
  /** The job's work. */
  run(options: DocumentJobOptions): Promise<DocumentJobResult>;
}

/**
 * The part every document route shares once its body is read: the body's problems (422), every
 * file downloaded (allow-list, size: 422), the route's own check, then the job, its outputs
 * delivered to their destinations; answers 202 `{jobId, statusUrl}`.
 */
export async function submitDocumentJob(
  ctx: EmulatorContext,
  c: Context<EmulatorEnv>,
  body: { outputs: readonly { destination: DocumentOutput["destination"]; mediaType: string }[] },
  route: DocumentJobRoute,
): Promise<Response> {
  const refused = [...route.problems, ...unreachableSources(route.sources)];
  if (refused.length > 0) throw invalidRequest("v2", refused, 422);
  const urls = route.sources.map(
    ([pointer, resource]) => [`${pointer}/url`, resource.url as string] as const,
  );
  const { inputs, heldBytes } = await readImageInputs(ctx, c, "v2", urls);
  const files = new Map(route.sources.map(([pointer], i) => [pointer, inputs[i] as Uint8Array]));
  const oversize = await checkSizes(files);
  if (oversize.length > 0) throw invalidRequest("v2", oversize, 422);
  const options = engineOptions(ctx, files, route.title);
  await route.check?.(options);
  const origins = ownOrigins(ctx, c);
  const task = familyTask(ctx, "v2", async (context) => {
    const result = await context.work(() => route.run(options));
    return deliver(ctx, context.job, body.outputs, result, context, origins) as Promise<
      NonNullable<Schemas["V2JobStatus"]["result"]>
    >;
  });
  const job = ctx.jobs.submit(route.kind, c.get("clientId"), body, publicOrigin(ctx, c), origins, {
    task,
    heldBytes,
  });
  return c.json({ jobId: job.id, statusUrl: statusUrl(job) }, 202);
}

/**
 * `POST /v2/create-composite`: validated against the spec, then Adobe's cross-field rules (422),
 * then every file downloaded (allow-list, size), then the request planned against the document's
 * layer tree (a layer that is not there: 422); the job does the work (imaging/composite).
 */
export function createCompositeRoute(ctx: EmulatorContext): Handler<EmulatorEnv> {
  const validate = bodyValidator("photoshop-current.yaml", "createComposite");
  return async (c) => {
    const body = await readRequestBody<Schemas["CreateCompositeRequest"]>(c, validate, "v2");
    return submitDocumentJob(ctx, c, body, {
      kind: "create-composite",
      sources: compositeSources(body),
      problems: crossFieldProblems(body),
      title: documentTitle(body.image),
      async check(options) {
        try {
          await checkComposite(body, options);
        } catch (error) {
          // What only the job can tell (a feature the emulator will not fake, an unreadable file)
          // fails the job, the async path Adobe reports it on; a reference the document refutes is
          // a 422.
          if (error instanceof DocumentError && error.code === "400401")
            throw invalidRequest("v2", [error.message], 422);
          if (error instanceof ImageDecodeError && error.reason === "too-large")
            throw invalidRequest("v2", [error.message], 422);
          if (!(error instanceof DocumentError) && !(error instanceof ImageDecodeError)) throw error;
        }
      },
      run: (options) => createComposite(body, options),
    });
  };
}

/** `POST /v2/create-artboard`: validated, files downloaded and checked, then the job lays them out. */
export function createArtboardRoute(ctx: EmulatorContext): Handler<EmulatorEnv> {
  const validate = bodyValidator("photoshop-current.yaml", "createArtboard");
  return async (c) => {
    const body = await readRequestBody<Schemas["CreateArtboardRequest"]>(c, validate, "v2");
    return submitDocumentJob(ctx, c, body, {
      kind: "create-artboard",
      sources: body.images.map((image, i): Source => [`/images/${i}/source`, image.source]),
      problems: crossFieldProblems(body),
      title: "Artboards",
      run: (options) => createArtboard(body, options),
    });
  };
}
