import { readFile } from "node:fs/promises";
import { parse as parseCsv } from "csv-parse/sync";
import { BatchError } from "./errors.js";

/** One row of a template batch: its key in the journal, its values by column, and where it is. */
export interface TemplateRow {
  /** The `id` column, else `row-<n>`: stable across runs, so a resumed batch skips what is done. */
  readonly key: string;
  readonly values: Readonly<Record<string, string>>;
  /** 1-based data row number (the header is row 0), for messages; absent for a row known by key alone. */
  readonly row?: number;
}

/** `{{ column }}`, `{{column|number}}`, `{{column|boolean}}`. */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.-]*)\s*(?:\|\s*(number|boolean)\s*)?\}\}/g;
const WHOLE = /^\{\{\s*([A-Za-z_][\w.-]*)\s*(?:\|\s*(number|boolean)\s*)?\}\}$/;

/** The columns a template's placeholders name, in order of first use. */
export function templateColumns(template: unknown): string[] {
  const columns = new Set<string>();
  const walk = (value: unknown): void => {
    if (typeof value === "string")
      for (const match of value.matchAll(PLACEHOLDER)) columns.add(match[1] as string);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === "object" && value !== null) Object.values(value).forEach(walk);
  };
  walk(template);
  return [...columns];
}

/**
 * Reads a template batch's rows: a CSV with a header row, one job per data row. Every column a
 * placeholder names must be in the header; `id`, when present, is each row's key (unique).
 *
 * @throws BatchError `invalid-template` (`input`: the CSV's path) naming the row or column, for a CSV
 *   that cannot serve the template.
 */
export async function readTemplateRows(path: string, columns: readonly string[]): Promise<TemplateRow[]> {
  let records: string[][];
  try {
    records = parseCsv(await readFile(path, "utf8"), {
      skip_empty_lines: true,
      bom: true,
      trim: true,
      relax_column_count: false,
    }) as string[][];
  } catch (error) {
    throw new BatchError("invalid-template", `${path}: not a valid CSV (${(error as Error).message})`, {
      input: path,
      cause: error,
    });
  }
  const [header, ...data] = records;
  if (!header || data.length === 0)
    throw new BatchError("invalid-template", `${path}: a header row and at least one row are needed`, {
      input: path,
    });
  const missing = columns.filter((column) => !header.includes(column));
  if (missing.length > 0) {
    throw new BatchError(
      "invalid-template",
      `${path}: the edits use ${missing.map((c) => `{{${c}}}`).join(", ")}, which the header does not have (it has ${header.join(", ")})`,
      { input: path },
    );
  }
  const seen = new Set<string>();
  return data.map((cells, index) => {
    const values = Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ""]));
    const key = values.id ? values.id : `row-${index + 1}`;
    if (seen.has(key))
      throw new BatchError("invalid-template", `${path} row ${index + 1}: the id ${key} is used twice`, {
        input: path,
      });
    seen.add(key);
    return { key, values, row: index + 1 };
  });
}

function convert(
  text: string,
  as: string | undefined,
  fail: (problem: string) => never,
): string | number | boolean {
  if (as === "number") {
    const number = Number(text);
    if (text === "" || !Number.isFinite(number)) fail(`"${text}" is not a number`);
    return number;
  }
  if (as === "boolean") {
    if (text !== "true" && text !== "false") fail(`"${text}" is not true or false`);
    return text === "true";
  }
  return text;
}

/**
 * The template with each placeholder replaced by the row's value: inside a string as text; a
 * string that is one placeholder with `|number` or `|boolean` becomes that JSON value (an opacity,
 * a colour channel, a visibility). `resolve` may rewrite a value before it is used (a local file
 * named in a `url` field becomes the URL it was uploaded to).
 *
 * @throws BatchError `invalid-template` (`input`: the row's key) naming the row and the JSON pointer,
 *   for a value that does not fit its placeholder.
 */
export function fillTemplate(
  template: unknown,
  row: TemplateRow,
  resolve: (value: string, pointer: string) => string = (value) => value,
): unknown {
  const walk = (value: unknown, pointer: string): unknown => {
    if (typeof value === "string") {
      const where = `${row.row === undefined ? row.key : `row ${row.row} (${row.key})`}, ${pointer || "/"}`;
      const fail = (problem: string): never => {
        throw new BatchError("invalid-template", `${where}: ${problem}`, { input: row.key });
      };
      const whole = value.match(WHOLE);
      if (whole) return convert(resolve(row.values[whole[1] as string] ?? "", pointer), whole[2], fail);
      return value.replace(PLACEHOLDER, (_, column: string, as: string | undefined) => {
        if (as) fail(`|${as} applies to a placeholder that is the whole value`);
        return row.values[column] ?? "";
      });
    }
    if (Array.isArray(value)) return value.map((item, i) => walk(item, `${pointer}/${i}`));
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, walk(item, `${pointer}/${key}`)]),
      );
    }
    return value;
  };
  return walk(template, "");
}
