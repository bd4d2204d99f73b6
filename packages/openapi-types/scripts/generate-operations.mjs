#!/usr/bin/env node
// Writes src/generated/operations.ts: psapi's operation table, one exported const per operation of
// photoshop.yaml and photoshop-current.yaml (so a bundler keeps only the rows an application uses),
// read from the specs' standard fields (operationId, method, path, servers, deprecated) and psapi's
// extensions where OpenAPI has none (`x-psapi-job-kind`, `x-psapi-polled-by`, `x-psapi-retired`).
// The client's operations and the emulator's status routes are built from it. Run by generate.mjs.
import { readFile, writeFile } from "node:fs/promises";
import { parse } from "yaml";

const SPECS = ["photoshop.yaml", "photoshop-current.yaml"];
const METHODS = ["get", "put", "post", "delete", "patch"];
const JOB_KINDS = new Set(["sensei", "psd", "v2", "masking"]);
const LOOPBACK = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/;

/**
 * Reads every operation of the specs into table rows, checking what the extensions promise: a
 * `x-psapi-polled-by` names a GET of the same job kind whose path ends in `{jobId}`, and a retired
 * operation is `deprecated: true`, has an `on` date and (when it names one) an existing successor.
 *
 * @returns {Promise<Array<Record<string, unknown>>>} rows in spec order.
 */
export async function readOperations() {
  const rows = [];
  for (const spec of SPECS) {
    const document = parse(await readFile(new URL(import.meta.resolve(`@psapi/openapi/${spec}`)), "utf8"));
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      for (const method of METHODS) {
        const operation = item?.[method];
        if (operation === undefined) continue;
        const where = `${spec} ${method.toUpperCase()} ${path}`;
        const fail = (problem) => {
          throw new Error(`generate-operations: ${where}: ${problem}`);
        };
        if (typeof operation.operationId !== "string") fail("has no operationId");
        const servers = [...(operation.servers ?? []), ...(item.servers ?? []), ...(document.servers ?? [])];
        const server = servers.map((entry) => entry.url).find((url) => !LOOPBACK.test(url));
        if (server === undefined) fail("has no server other than a loopback one");
        const jobKind = operation["x-psapi-job-kind"];
        if (jobKind !== undefined && !JOB_KINDS.has(jobKind)) {
          fail(`x-psapi-job-kind must be one of ${[...JOB_KINDS].join(", ")}`);
        }
        const polledBy = operation["x-psapi-polled-by"];
        if (polledBy !== undefined && jobKind === undefined) fail("x-psapi-polled-by needs x-psapi-job-kind");
        const mark = operation["x-psapi-retired"];
        if (mark !== undefined && (operation.deprecated !== true || typeof mark.on !== "string")) {
          fail("x-psapi-retired needs deprecated: true and an 'on' date");
        }
        rows.push({
          operationId: operation.operationId,
          spec,
          method: method.toUpperCase(),
          path,
          server: server.replace(/\/+$/, ""),
          ...(jobKind === undefined ? {} : { jobKind }),
          ...(polledBy === undefined ? {} : { polledBy }),
          ...(mark === undefined
            ? {}
            : {
                retired: {
                  on: mark.on,
                  ...(mark.replacedBy === undefined ? {} : { replacedBy: mark.replacedBy }),
                  ...(mark.as === undefined ? {} : { as: mark.as }),
                },
              }),
          where,
        });
      }
    }
  }
  const byId = new Map();
  for (const row of rows) {
    if (byId.has(row.operationId)) {
      throw new Error(`generate-operations: operationId ${row.operationId} is used twice (${row.where})`);
    }
    byId.set(row.operationId, row);
  }
  for (const row of rows) {
    const fail = (problem) => {
      throw new Error(`generate-operations: ${row.where}: ${problem}`);
    };
    if (row.polledBy !== undefined) {
      const status = byId.get(row.polledBy);
      if (status === undefined) fail(`x-psapi-polled-by names no operation: ${row.polledBy}`);
      if (status.method !== "GET" || !status.path.endsWith("/{jobId}")) {
        fail(`x-psapi-polled-by ${row.polledBy} is not a GET of a path ending in /{jobId}`);
      }
      if (status.jobKind !== row.jobKind) fail(`x-psapi-polled-by ${row.polledBy} reads another job kind`);
      // The status path goes in the row itself, so that a client call needs only its own row.
      row.statusPath = status.path;
    }
    const successor = row.retired?.replacedBy;
    if (successor !== undefined && !byId.has(successor))
      fail(`x-psapi-retired.replacedBy names no operation: ${successor}`);
  }
  // Key order: the status path next to the operation that names it, the retirement last.
  return rows.map(({ where, retired, ...row }) => ({
    ...row,
    ...(retired === undefined ? {} : { retired }),
  }));
}

/**
 * Renders the table module: the row type, one `export const <operationId>` per operation, and
 * `OPERATIONS`, all of them by operationId (for code that needs the whole table; a bundle that
 * imports single rows does not contain it).
 *
 * @param {Array<Record<string, unknown>>} rows
 * @returns {string}
 */
export function renderOperations(rows) {
  const header = `/**
 * generated by scripts/generate-operations.mjs from openapi/${SPECS.join(" and openapi/")}; do not edit.
 * Run \`pnpm generate\` after changing the spec.
 */

/** Which status shape a job's status read answers with (\`x-psapi-job-kind\`). */
export type JobKind = "sensei" | "psd" | "v2" | "masking";

/** One operation of psapi's OpenAPI files. */
export interface Operation {
  /** The spec's operationId. */
  readonly operationId: string;
  /** The spec file that describes it. */
  readonly spec: ${SPECS.map((spec) => JSON.stringify(spec)).join(" | ")};
  readonly method: "GET" | "PUT" | "POST" | "DELETE" | "PATCH";
  /** The path template, e.g. \`/v2/status/{jobId}\`. */
  readonly path: string;
  /** Adobe's origin for it: its first non-loopback \`servers\` entry. */
  readonly server: string;
  /** The status shape of the job it starts or reads (\`x-psapi-job-kind\`). */
  readonly jobKind?: JobKind;
  /** The operationId of the status read that polls the job it starts (\`x-psapi-polled-by\`). */
  readonly polledBy?: string;
  /** That status read's path template. */
  readonly statusPath?: string;
  /** When Adobe retired it, and its successor's operationId (\`x-psapi-retired\`). */
  readonly retired?: { readonly on: string; readonly replacedBy?: string; readonly as?: string };
}
`;
  const consts = rows.map(
    (row) =>
      `\n/** \`${row.method} ${row.path}\` (${row.spec}). */\nexport const ${row.operationId} = ${JSON.stringify(row, null, 2)} as const satisfies Operation;\n`,
  );
  const all = `\n/** Every operation, by operationId. */\nexport const OPERATIONS = {\n${rows
    .map((row) => `  ${row.operationId},\n`)
    .join("")}} as const;\n`;
  return header + consts.join("") + all;
}

const rows = await readOperations();
await writeFile(new URL("../src/generated/operations.ts", import.meta.url), renderOperations(rows));
process.stdout.write(`wrote src/generated/operations.ts from @psapi/openapi/${SPECS.join(", ")}\n`);
