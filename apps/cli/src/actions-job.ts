import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { ExecuteActionsRequest } from "@psapi/client";
import { isRecord } from "@psapi/core";
import { usageError } from "./cli-error.js";
import { currentSource, inputStem } from "./current-job.js";
import { DOCUMENT_TYPES, type DocumentType, downloadOne, hostedOutput } from "./document-job.js";
import { checkJobInput } from "./job.js";
import type { Session } from "./session.js";
import type { Target } from "./target.js";
import { type InputSource, parseInputArgument, prepareOutPath } from "./validate.js";

/** The most characters one inline resource may hold (Adobe's documented 50 KB, 51,200 characters). */
export const MAX_INLINE_CHARACTERS = 51_200;

type ActionResource = NonNullable<ExecuteActionsRequest["options"]["actions"]>[number];

/** What `--actions` names: inline ActionJSON (typed, or read from a JSON file), or an `.atn` action set. */
export type ActionsArgument =
  | { kind: "json"; commands: unknown[]; label: string }
  | { kind: "atn"; input: InputSource; label: string };

/**
 * Checks ActionJSON the way the API will (an array of objects, each with a string `_obj`), so that a
 * typo is a usage error naming the command's index, not a failed job.
 *
 * @throws {CliError} (usage) naming `label` and what is wrong.
 */
export function checkActionJson(value: unknown, label: string): unknown[] {
  if (!Array.isArray(value)) {
    throw usageError(
      `--actions ${label}: expected a JSON array of ActionJSON commands`,
      'e.g. [{"_obj": "invert"}]; see psapi actions --help',
    );
  }
  for (const [i, item] of value.entries()) {
    if (!isRecord(item) || typeof item._obj !== "string" || item._obj.length === 0) {
      throw usageError(
        `--actions ${label}: command ${i} has no "_obj" (each command is an object naming its event in "_obj")`,
        'e.g. {"_obj": "flattenImage"}',
      );
    }
  }
  const size = JSON.stringify(value).length;
  if (size > MAX_INLINE_CHARACTERS) {
    throw usageError(
      `--actions ${label}: ${size} characters of ActionJSON; the API takes at most ${MAX_INLINE_CHARACTERS} per action`,
      "split the commands over several runs",
    );
  }
  return value;
}

/**
 * Reads `--actions`: a JSON array typed on the command line (it starts with `[`), a path to a
 * `.json` file holding one, or a local path or https URL of an `.atn` action set.
 *
 * @throws {CliError} (usage) For a file that cannot be read, JSON that does not parse, or ActionJSON of the wrong shape.
 */
export async function readActionsArgument(value: string, cwd: string): Promise<ActionsArgument> {
  const trimmed = value.trim();
  if (trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw usageError(
        `--actions: not valid JSON (${(error as SyntaxError).message})`,
        "fix the JSON, or give a file",
      );
    }
    return { kind: "json", commands: checkActionJson(parsed, "(inline)"), label: "(inline)" };
  }
  if (/\.atn$/i.test(new URL(trimmed, "file:///").pathname)) {
    try {
      return {
        kind: "atn",
        input: parseInputArgument(/^https?:\/\//i.test(trimmed) ? trimmed : resolve(cwd, trimmed)),
        label: value,
      };
    } catch (error) {
      throw usageError(
        `--actions ${value}: ${(error as Error).message.replace(/\.$/, "")}`,
        "an .atn file is a local file (emulator only) or an https URL",
      );
    }
  }
  let text: string;
  try {
    text = await readFile(resolve(cwd, trimmed), "utf8");
  } catch {
    throw usageError(
      `--actions ${value}: cannot read the file`,
      "give a JSON file, an .atn file, or an inline JSON array",
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw usageError(
      `--actions ${value}: not valid JSON (${(error as SyntaxError).message})`,
      "fix the JSON",
    );
  }
  return { kind: "json", commands: checkActionJson(parsed, value), label: value };
}

/** What `psapi actions` is asked to do. */
export interface ActionsJob {
  readonly input: InputSource;
  readonly actions: string;
  readonly actionName: string | undefined;
  readonly type: DocumentType;
  readonly out: string | undefined;
  readonly timeoutMs: number;
  readonly cwd: string;
}

/**
 * Runs an execute-actions job end to end: `--out` checked, `--actions` read and checked (an `.atn`
 * uploaded when local), the document to a URL, submit, wait, download the one hosted output.
 */
export async function runActions(
  session: Session,
  target: Target,
  request: ActionsJob,
): Promise<{ text: string; data: Record<string, unknown> }> {
  checkJobInput(target, request.input);
  const { extension } = DOCUMENT_TYPES[request.type];
  const outPath = await prepareOutPath(
    request.out ?? `out/${inputStem(request.input)}-actions.${extension}`,
    request.cwd,
  );
  const argument = await readActionsArgument(request.actions, request.cwd);
  if (argument.kind === "json" && request.actionName !== undefined) {
    throw usageError(
      "--action-name picks an action of an .atn set, not of ActionJSON",
      "leave it out, or give an .atn file",
    );
  }
  let action: ActionResource;
  if (argument.kind === "atn") {
    checkJobInput(target, argument.input);
    action = {
      ...(await currentSource(session, target, argument.input)),
      ...(request.actionName === undefined ? {} : { actionName: request.actionName }),
    };
  } else {
    action = { source: { content: JSON.stringify(argument.commands), contentType: "application/json" } };
  }
  const image = await currentSource(session, target, request.input);
  const job = await target.client.executeActions(
    { image, options: { actions: [action] }, outputs: [hostedOutput(request.type)] },
    { signal: session.context.signal },
  );
  return downloadOne(session, target, job, `actions job ${job.jobId}`, outPath, request);
}
