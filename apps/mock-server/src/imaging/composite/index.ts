import type { components } from "@psapi/openapi-types/photoshop-current";
import type { Layer } from "ag-psd";
import type { ImageLimits } from "../input.js";
import { lay } from "./blend.js";
import {
  decodePlaced,
  newDocument,
  openDocument,
  type RenderMode,
  type WorkingDocument,
} from "./document.js";
import { applyDocumentEdits } from "./document-edits.js";
import { unsupported } from "./errors.js";
import { postScriptName } from "./fonts.js";
import { applyLayerEdits, type FontPolicy, type RequestFiles } from "./layer-edits.js";
import { filteredLayers, type RenderedOutput, renderOutput } from "./outputs.js";
import { blank, filled } from "./pixels.js";

export type { RenderMode } from "./document.js";
export { psdHeaderSize } from "./document.js";
export { DocumentError, type DocumentErrorCode } from "./errors.js";
export type { RequestFiles } from "./layer-edits.js";
export type { RenderedOutput } from "./outputs.js";

type Schemas = components["schemas"];

/** What a document job needs besides its request. */
export interface DocumentJobOptions {
  /** Every file the request names, downloaded, by the JSON pointer of its `source`. */
  files: RequestFiles;
  mode: RenderMode;
  limits: ImageLimits;
  /** The document's name in a JSON output (the input's file name). */
  title: string;
}

/** The outputs of a document job, in request order, and what approximate mode left out. */
export interface DocumentJobResult {
  outputs: RenderedOutput[];
  warnings: string[];
}

function fontPolicy(request: Schemas["CreateCompositeRequest"], files: RequestFiles): FontPolicy {
  const options = request.fontOptions;
  const provided = new Set<string>();
  for (const [i] of (options?.additionalFonts ?? []).entries()) {
    const bytes = files.get(`/fontOptions/additionalFonts/${i}/source`);
    const name = bytes ? postScriptName(bytes) : undefined;
    if (bytes && !name)
      throw unsupported(
        `/fontOptions/additionalFonts/${i}/source`,
        "a font file that is not TrueType or OpenType",
      );
    if (name) provided.add(name);
  }
  return {
    provided,
    defaultFont: options?.defaultFontPostScriptName ?? "ArialMT",
    missing: options?.missingFontStrategy ?? "use_default",
  };
}

/** A new document from `ImageParameters` (create-composite's and execute-actions' `image`). */
export function createDocument(
  image: Schemas["ImageParameters"],
  mode: RenderMode,
  limits: ImageLimits,
  plan: boolean,
): WorkingDocument {
  if ((image.mode ?? "rgb") !== "rgb")
    throw unsupported("/image/mode", `a ${image.mode} document (the emulator makes RGB documents)`);
  if (image.depth !== undefined && Number(image.depth) !== 8)
    throw unsupported("/image/depth", `a ${image.depth}-bit document (the emulator makes 8-bit documents)`);
  if (
    image.iccProfile &&
    !(image.iccProfile.type === "standard" && image.iccProfile.name === "sRGB IEC61966-2.1")
  ) {
    throw unsupported("/image/iccProfile", `the ICC profile '${image.iccProfile.name}'`);
  }
  const doc = newDocument(image.width, image.height, mode, limits, plan);
  const { psd } = doc;
  const fill = image.fill ?? "white";
  const rgb: [number, number, number] | undefined =
    fill === "transparent"
      ? undefined
      : typeof fill === "string"
        ? [255, 255, 255] // `background_color`: Photoshop's default background colour, white.
        : "rgb" in fill.solidColor
          ? [fill.solidColor.rgb.red, fill.solidColor.rgb.green, fill.solidColor.rgb.blue]
          : [fill.solidColor.red, fill.solidColor.green, fill.solidColor.blue];
  if (rgb && plan) {
    psd.children = [
      { id: doc.nextId++, name: "Background", top: 0, left: 0, right: psd.width, bottom: psd.height },
    ];
  } else if (rgb) {
    const pixels = filled(psd.width, psd.height, rgb);
    psd.children = [
      {
        id: doc.nextId++,
        name: "Background",
        top: 0,
        left: 0,
        right: psd.width,
        bottom: psd.height,
        imageData: pixels,
      },
    ];
    doc.composite = filled(psd.width, psd.height, rgb);
  }
  if (image.resolution) {
    psd.imageResources = {
      resolutionInfo: {
        horizontalResolution: image.resolution.value,
        horizontalResolutionUnit: "PPI",
        widthUnit: "Inches",
        verticalResolution: image.resolution.value,
        verticalResolutionUnit: "PPI",
        heightUnit: "Inches",
      },
    };
  }
  return doc;
}

async function renderAll(
  doc: WorkingDocument,
  outputs: readonly Schemas["DocumentOutput"][],
  title: string,
): Promise<DocumentJobResult> {
  const rendered: RenderedOutput[] = [];
  for (const [i, output] of outputs.entries()) rendered.push(await renderOutput(doc, output, i, title));
  return { outputs: rendered, warnings: doc.warnings };
}

/**
 * `POST /v2/create-composite`, done for real: opens the document (a PSD with its layers, an
 * image as one layer, or a new document), runs `edits.layers` first to last, then
 * `edits.document` (resize, crop, trim), then renders each output.
 *
 * @throws DocumentError for what the emulator will not fake or what the document shows wrong;
 *   ImageDecodeError for an unreadable image.
 */
export async function createComposite(
  request: Schemas["CreateCompositeRequest"],
  options: DocumentJobOptions,
): Promise<DocumentJobResult> {
  const doc = await editedDocument(request, options, false);
  if (request.edits?.document) await applyDocumentEdits(doc, request.edits.document);
  return renderAll(doc, request.outputs, options.title);
}

/**
 * Checks a create-composite request against its document's layer tree without decoding a pixel,
 * as the route does when the POST arrives: every layer an entry or an output names exists (or
 * is added by an earlier entry) and is of the entry's kind.
 *
 * @throws DocumentError `400401` for a reference the document refutes (the route answers 422);
 *   other DocumentErrors (what the job will fail with) and ImageDecodeError as the job would.
 */
export async function checkComposite(
  request: Schemas["CreateCompositeRequest"],
  options: DocumentJobOptions,
): Promise<void> {
  const doc = await editedDocument(request, options, true);
  for (const [i, output] of request.outputs.entries()) filteredLayers(doc, output, `/outputs/${i}`);
}

async function editedDocument(
  request: Schemas["CreateCompositeRequest"],
  options: DocumentJobOptions,
  plan: boolean,
): Promise<WorkingDocument> {
  const { files, mode, limits } = options;
  const fonts = fontPolicy(request, files);
  let doc: WorkingDocument;
  if ("source" in request.image) {
    const bytes = files.get("/image/source");
    if (!bytes) throw new Error("[@psapi/mock-server] the document was not downloaded");
    doc = await openDocument(
      bytes,
      mode,
      limits,
      plan ? "plan" : request.edits?.layers?.length ? "layers" : "full",
    );
  } else {
    doc = createDocument(request.image, mode, limits, plan);
  }
  if (request.edits?.layers) await applyLayerEdits(doc, request.edits.layers, files, fonts);
  return doc;
}

/**
 * `POST /v2/create-artboard`, done for real: one artboard (a group with its rectangle) per
 * image, left to right, `artboardSpacing` apart, each at y = 0 on a canvas as tall as the tallest
 * image; a PSD input gives its stored composite as one layer. (The layout Adobe leaves
 * unspecified is psapi's choice, pinned by tests.)
 */
export async function createArtboard(
  request: Schemas["CreateArtboardRequest"],
  options: DocumentJobOptions,
): Promise<DocumentJobResult> {
  const { files, mode, limits, title } = options;
  const spacing = request.artboardSpacing ?? 50;
  const images = [];
  for (const [i] of request.images.entries()) {
    const pointer = `/images/${i}/source`;
    const bytes = files.get(pointer);
    if (!bytes) throw new Error(`[@psapi/mock-server] ${pointer} was not downloaded`);
    images.push(await decodePlaced(bytes, pointer, limits));
  }
  const width = images.reduce((sum, image) => sum + image.width, 0) + spacing * (images.length - 1);
  const height = Math.max(...images.map((image) => image.height));
  const doc = newDocument(width, height, mode, limits);
  const composite = blank(width, height);
  const children: Layer[] = [];
  let left = 0;
  for (const [i, image] of images.entries()) {
    const rect = { top: 0, left, bottom: image.height, right: left + image.width };
    children.push({
      id: doc.nextId++,
      name: `Artboard ${i + 1}`,
      blendMode: "pass through",
      opened: true,
      artboard: { rect, presetName: "Custom", backgroundType: 3 },
      ...rect,
      children: [{ id: doc.nextId++, name: `Image ${i + 1}`, ...rect, imageData: image }],
    });
    lay(composite, image, { left, top: 0, opacity: 1, mode: "normal" });
    left += image.width + spacing;
  }
  doc.psd.children = children;
  doc.psd.artboards = { count: children.length };
  doc.composite = composite;
  return renderAll(doc, request.outputs, title);
}
