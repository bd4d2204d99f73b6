import { writeFileAtomic } from "@psapi/core/files";
import type { Command } from "commander";
import { displayPath } from "../display.js";
import { addJobOptions, type JobOptions, jobInput } from "../options.js";
import type { Session } from "../session.js";
import { prepareOutPath } from "../validate.js";

/** A layer of a manifest as far as the summary reads it. */
interface LayerSummary {
  name?: unknown;
  type?: unknown;
  bounds?: { width?: unknown; height?: unknown; left?: unknown; top?: unknown };
  children?: unknown;
}

/**
 * `psapi manifest`: reads a document's manifest (size, mode, layer tree) and prints a summary, or
 * the whole manifest with `--json` / `--out`.
 *
 * @param program - The program to add the command to.
 * @param session - The run.
 * @example
 * registerManifest(program, session);
 * await program.parseAsync(["node", "psapi", "manifest", "design.psd"]);
 */
export function registerManifest(program: Command, session: Session): void {
  addJobOptions(
    program
      .command("manifest")
      .argument("[input]", "a PSD, PNG, JPEG or TIFF: a local file (emulator only) or an https URL")
      .description("read a document's manifest: size, colour mode and layers (POST /v2/generate-manifest)"),
    { what: "the manifest JSON", outputUrl: false },
  )
    .option(
      "--legacy",
      "use the retired POST /pie/psdService/documentManifest (retired 2026-07-31: emulators only)",
    )
    .addHelpText("after", "\nExample:\n  psapi manifest design.psd --out out/design.json")
    .action(async (input: string | undefined, _options: unknown, command: Command) => {
      const options = command.optsWithGlobals<JobOptions & { legacy?: boolean }>();
      const source = jobInput(input, options);
      const { context } = session;
      const target = await session.openTarget({ baseUrl: options.baseUrl });
      if (options.legacy && target.kind === "adobe") {
        // Retired on Adobe's own host: said at once, in one line; the client then refuses to send it.
        const { retiredCommandLine } = await import("../retired-command.js");
        session.output.note(retiredCommandLine("getDocumentManifest"));
      }
      const { checkJobInput, resolveJobInput, waitWithProgress } = await import("../job.js");
      const { redactDeep } = await import("@psapi/core");
      checkJobInput(target, source);
      const outPath = options.out === undefined ? undefined : await prepareOutPath(options.out, context.cwd);
      const resolved = await resolveJobInput(session, target, source);
      /** The summary on stdout (`--json`: the manifest), and the manifest in `--out`. */
      const report = async (
        summary: Iterable<string>,
        job: { jobId: string; statusUrl: string },
        manifest: unknown,
      ) => {
        const lines = [...summary];
        if (outPath !== undefined) {
          await writeFileAtomic(outPath, `${JSON.stringify(manifest, null, 2)}\n`);
          lines.push(`wrote ${displayPath(outPath, context.cwd)}`);
        }
        session.output.result(lines.join("\n"), {
          target: target.description,
          job: { id: job.jobId, statusUrl: job.statusUrl, status: "succeeded" },
          manifest,
          ...(outPath === undefined ? {} : { path: outPath }),
        });
      };
      if (!options.legacy) {
        const job = await target.client.generateManifest(
          {
            image: { source: { url: resolved.href } },
            outputs: [{ destination: { embedded: "json" }, mediaType: "application/json" }],
          },
          { signal: context.signal },
        );
        const status = await waitWithProgress(session, job, {
          label: `manifest job ${job.jobId}`,
          timeoutMs: options.timeout * 1000,
        });
        const first = status.result?.outputs?.[0];
        const content =
          first !== undefined && "destination" in first
            ? (first.destination as { content?: unknown } | undefined)?.content
            : undefined;
        const manifest = redactDeep(
          typeof content === "object" && content !== null ? content : {},
        ) as ManifestV2Summary;
        await report(summarizeManifestV2(resolved.name, manifest), job, manifest);
        return;
      }
      const job = await target.client.getDocumentManifest(
        { inputs: [{ href: resolved.href, storage: resolved.storage }] },
        { signal: context.signal },
      );
      const status = await waitWithProgress(session, job, {
        label: `manifest job ${job.jobId}`,
        timeoutMs: options.timeout * 1000,
      });
      const outputs = (status as { outputs?: readonly Record<string, unknown>[] }).outputs ?? [];
      const manifest = redactDeep(outputs[0] ?? {}) as {
        document?: Record<string, unknown>;
        layers?: unknown;
      };
      await report(summarizeManifest(resolved.name, manifest), job, manifest);
    });
}

/**
 * The people-readable summary of a manifest: one line for the document (size, mode, depth), then
 * one line per layer, indented by depth in the layer tree.
 *
 * @param name - The input's file name, used when the manifest names no document.
 * @param manifest - The manifest output of the job status (`outputs[0]`).
 * @example
 * summarizeManifest("coffee.png", output)
 * // ["coffee.png: 600×400, rgb, 8-bit", "  Background (backgroundLayer) 600×400 at 0,0"]
 */
export function summarizeManifest(
  name: string,
  manifest: { document?: Record<string, unknown>; layers?: unknown },
): string[] {
  return [summarizeDocument(name, manifest.document), ...summarizeLayers(manifest.layers, "  ")];
}

function summarizeDocument(name: string, document: Record<string, unknown> | undefined): string {
  if (document === undefined) return `${name}: no document details`;
  const parts = [`${document.width}×${document.height}`];
  if (document.imageMode !== undefined) parts.push(String(document.imageMode));
  if (document.bitDepth !== undefined) parts.push(`${document.bitDepth}-bit`);
  return `${String(document.name ?? name)}: ${parts.join(", ")}`;
}

function summarizeLayers(layers: unknown, indent: string): string[] {
  if (!Array.isArray(layers)) return [];
  return (layers as LayerSummary[]).flatMap((layer) => {
    const bounds = layer.bounds;
    const where = bounds ? ` ${bounds.width}×${bounds.height} at ${bounds.left},${bounds.top}` : "";
    return [
      `${indent}${String(layer.name ?? "(unnamed)")} (${String(layer.type ?? "layer")})${where}`,
      ...summarizeLayers(layer.children, `${indent}  `),
    ];
  });
}

/** A v2 manifest (generate-manifest's) as far as the summary reads it. */
interface ManifestV2Summary {
  document?: {
    title?: unknown;
    bounds?: { right?: unknown; bottom?: unknown };
    imageMode?: unknown;
    depth?: unknown;
  };
  layers?: unknown;
}

interface LayerV2Summary {
  name?: unknown;
  type?: unknown;
  bounds?: { left?: unknown; top?: unknown; right?: unknown; bottom?: unknown };
  children?: unknown;
  layers?: unknown;
}

/**
 * The summary of a v2 manifest: the document line (size from its bounds, mode, depth), then one
 * line per layer, groups' and artboards' children indented.
 *
 * @example
 * summarizeManifestV2("poster.psd", manifest)
 * // ["poster.psd: 800×600, rgb, 8-bit", "  Title (text_layer) 300×40 at 10,20"]
 */
export function summarizeManifestV2(name: string, manifest: ManifestV2Summary): string[] {
  const document = manifest.document;
  if (document === undefined) return [`${name}: no document details`];
  const parts = [`${document.bounds?.right}×${document.bounds?.bottom}`];
  if (document.imageMode !== undefined) parts.push(String(document.imageMode));
  if (document.depth !== undefined) parts.push(`${document.depth}-bit`);
  return [`${String(document.title ?? name)}: ${parts.join(", ")}`, ...layersV2(manifest.layers, "  ")];
}

function layersV2(layers: unknown, indent: string): string[] {
  if (!Array.isArray(layers)) return [];
  return (layers as LayerV2Summary[]).flatMap((layer) => {
    const b = layer.bounds;
    const where =
      b &&
      typeof b.left === "number" &&
      typeof b.right === "number" &&
      typeof b.top === "number" &&
      typeof b.bottom === "number"
        ? ` ${b.right - b.left}×${b.bottom - b.top} at ${b.left},${b.top}`
        : "";
    return [
      `${indent}${String(layer.name ?? "(unnamed)")} (${String(layer.type ?? "layer")})${where}`,
      ...layersV2(layer.children ?? layer.layers, `${indent}  `),
    ];
  });
}
