// The emulator's README tables that list what it does for real: its ActionJSON subset and its
// edit adjustments. The emulator's own tests hold each table equal to the code's (COMMANDS,
// ADJUSTMENTS), which the package does not export; so a suite that must exercise every row reads
// the rows here, and a row added to the emulator fails that suite until it is exercised.
import { readFileSync } from "node:fs";

const README = new URL("../../../../apps/mock-server/README.md", import.meta.url);

/** The cells of the table whose header row matches `header`, without the header and separator. */
function table(header: RegExp): string[][] {
  const lines = readFileSync(README, "utf8").split("\n");
  const start = lines.findIndex((line) => header.test(line));
  if (start < 0) throw new Error(`no table headed ${header} in ${README.pathname}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(
      line
        .slice(1, -1)
        .split("|")
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

const plain = (cell: string) => cell.replace(/`/g, "");

/** One row of the ActionJSON subset: its `_obj`, the target forms it takes, its argument's `_obj`. */
export interface ActionJsonRow {
  readonly obj: string;
  readonly targets: readonly string[];
  readonly argument?: string;
}

/** The README's ActionJSON table (`_obj` | target forms | `to` / `using` | what it does). */
export function actionJsonRows(): ActionJsonRow[] {
  return table(/^\| `_obj` +\| target forms +\|/).map(([obj = "", targets = "", argument = ""]) => ({
    obj: plain(obj),
    targets: plain(targets).split(", "),
    ...(argument ? { argument: plain(argument) } : {}),
  }));
}

/** One row of the edit adjustments: the settings it reads, and its approximation as a warning says it. */
export interface AdjustmentRow {
  readonly setting: string;
  readonly approximation: string;
}

/**
 * The README's table of edit adjustments (setting | the emulator's approximation), backticks
 * dropped as the job's warnings drop them (`<pointer>: approximated (<approximation>)`).
 */
export function adjustmentRows(): AdjustmentRow[] {
  return table(/^\| setting +\| the emulator's approximation +\|/).map(
    ([setting = "", approximation = ""]) => ({
      setting: plain(setting),
      approximation: plain(approximation),
    }),
  );
}
