// Results: one JSON file per bench in results/, and the table in README.md between the markers,
// rebuilt from every JSON file present so a partial run (`pnpm bench -- client`) keeps the rest.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, platform, release, totalmem } from "node:os";
import { join } from "node:path";
import { pinned } from "./proc.js";

const benchDir = new URL("..", import.meta.url).pathname;
const resultsDir = join(benchDir, "results");
const readmePath = join(benchDir, "README.md");
const START = "<!-- bench:results:start -->";
const END = "<!-- bench:results:end -->";

/** The machine a result was measured on. */
export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly pinned: boolean;
}

/** One published figure: a median, its baseline from the same run, and the target it must meet. */
export interface Figure {
  readonly label: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: { readonly label: string; readonly value: number };
  /** `value / baseline.value`. */
  readonly ratio?: number;
  /** Human-readable target, e.g. `≥ 0.6× bare`. */
  readonly target?: string;
  readonly pass?: boolean;
}

/** What a bench module returns. */
export interface BenchOutcome {
  readonly title: string;
  /** Run counts, durations, concurrency: what a reader needs to reproduce the figures. */
  readonly settings: Record<string, unknown>;
  readonly raw: unknown;
  readonly medians: Record<string, unknown>;
  readonly figures: readonly Figure[];
  readonly notes?: readonly string[];
}

/** A result file. */
export interface BenchResult extends BenchOutcome {
  readonly name: string;
  readonly machine: Machine;
  readonly date: string;
  readonly command: string;
  /**
   * 1-minute load average before and after the bench. The machine is shared: a load well above 0 at
   * the start means other work competed for the two cores during the measurement.
   */
  readonly loadAverage: { readonly before: number; readonly after: number };
  readonly code: CodeVersion;
}

/** The code a result was measured on. */
export interface CodeVersion {
  readonly commit: string;
  /** Files under packages/, apps/ and openapi/ that differed from the commit when the bench ran. */
  readonly uncommitted: readonly string[];
}

/** HEAD and any uncommitted changes to the measured code (others may be editing the shared tree). */
export function codeVersion(): CodeVersion {
  const root = join(benchDir, "..");
  const git = (args: string[]) => spawnSync("git", args, { cwd: root, encoding: "utf8" }).stdout.trimEnd();
  return {
    commit: git(["rev-parse", "--short", "HEAD"]),
    uncommitted: git(["status", "--porcelain", "--", "packages", "apps", "openapi"])
      .split("\n")
      .filter((line) => line.length > 0)
      .map((line) => line.slice(3)),
  };
}

/** This machine. */
export function machine(): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    pinned,
  };
}

/** The 1-minute load average, rounded. */
export function load(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

/** Writes `results/<name>.json`. */
export function writeResult(result: BenchResult): void {
  writeFileSync(join(resultsDir, `${result.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

/** Rebuilds the README table from every result file. */
export function updateReadme(order: readonly string[]): void {
  const results = readdirSync(resultsDir)
    .filter((file) => file.endsWith(".json"))
    .map((file) => JSON.parse(readFileSync(join(resultsDir, file), "utf8")) as BenchResult)
    .sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  const table = results.map(section).join("\n");
  const readme = readFileSync(readmePath, "utf8");
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${START} … ${END} markers`);
  writeFileSync(readmePath, `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`);
  // The repo's formatter pads Markdown tables; running it here keeps `pnpm lint` clean after a bench.
  const biome = join(benchDir, "..", "node_modules", ".bin", "biome");
  const formatted = spawnSync(biome, ["format", "--write", readmePath], { encoding: "utf8" });
  if (formatted.status !== 0) throw new Error(`biome format README.md failed: ${formatted.stderr}`);
}

function section(result: BenchResult): string {
  const m = result.machine;
  const lines = [
    `### ${result.title} · \`${result.name}\``,
    "",
    `${result.date} · \`${result.command}\` · commit ${result.code?.commit ?? "?"}${result.code?.uncommitted.length ? ` + ${result.code.uncommitted.length} uncommitted files` : ""} · ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB · ${m.os} · Node ${m.node}${m.pinned ? "" : " · **not pinned**"}${result.loadAverage ? ` · load avg ${result.loadAverage.before} → ${result.loadAverage.after}` : ""}`,
    "",
    "| Measurement | Median | Baseline (same run) | Ratio | Target | Result |",
    "|---|---:|---|---:|---|---|",
    ...result.figures.map(
      (f) =>
        `| ${f.label} | ${format(f.value)} ${f.unit} | ${f.baseline ? `${f.baseline.label}: ${format(f.baseline.value)} ${f.unit}` : "–"} | ${f.ratio === undefined ? "–" : `${f.ratio}×`} | ${f.target ?? "–"} | ${f.pass === undefined ? "–" : f.pass ? "pass" : "**FAIL**"} |`,
    ),
  ];
  if (result.notes?.length) lines.push("", ...result.notes.map((note) => `- ${note}`));
  return `${lines.join("\n")}\n`;
}

function format(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  return value.toLocaleString("en-US", { maximumFractionDigits: value < 10 ? 3 : 1 });
}
