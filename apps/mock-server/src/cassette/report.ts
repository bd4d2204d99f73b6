import type { CassetteCheckReport } from "./check.js";
import { type CassetteDiffReport, DIFF_CATEGORIES, type DiffCategory } from "./diff.js";

const TITLES: Record<DiffCategory, string> = {
  "spec-fix": "Spec fixes: the recorded answer breaks psapi's spec",
  "emulator-bug": "Emulator bugs: the emulator's answer breaks psapi's spec",
  "fidelity-gap": "Fidelity gaps: both answers meet the spec but differ",
};

/** A Markdown table cell: pipes escaped, one line. */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

/** The header lines both reports share. */
function header(title: string, report: { cassette: string; recordedAt: string; recordedAgainst: string[] }) {
  return [
    `# ${title}: ${cell(report.cassette)}`,
    "",
    `Recorded ${report.recordedAt} against ${report.recordedAgainst.map(code).join(", ") || "(no origin)"}.`,
    "",
  ];
}

/**
 * The Markdown report of `psapi cassette validate`: counts, then one table row per violation.
 *
 * @param report What `checkCassette` found.
 * @returns Markdown, ending with a newline.
 */
export function checkReportMarkdown(report: CassetteCheckReport): string {
  const lines = header("Cassette validation", report);
  lines.push(
    `${report.entries} entries: ${report.checked} recorded answers checked against psapi's specs, ${report.unchecked} not in the specs (storage and other hosts), **${report.violations.length} violations**.`,
    "",
  );
  if (report.violations.length > 0) {
    lines.push("| entry | request | status | operation | problem |", "| --- | --- | --- | --- | --- |");
    for (const v of report.violations)
      lines.push(
        `| ${v.entry} | ${code(`${v.method} ${v.path}`)} | ${v.status} | ${v.operationId ?? ""} | ${cell(v.problem)} |`,
      );
    lines.push("");
  }
  return `${lines.join("\n")}`;
}

/**
 * The Markdown report of `psapi cassette diff`: counts per category, a table of differences per
 * category, the output images measured, the entries not compared, and the volatile fields.
 *
 * @param report What `diffCassette` found.
 * @returns Markdown, ending with a newline.
 */
export function diffReportMarkdown(report: CassetteDiffReport): string {
  const lines = header("Cassette diff", report);
  const total = report.differences.length;
  lines.push(
    `${report.entries} entries: ${report.compared} compared with \`@psapi/mock-server\` ${report.emulatorVersion}, ${report.skipped.length} not compared, **${total} differences**.`,
    "",
    "| category | differences |",
    "| --- | --- |",
    ...DIFF_CATEGORIES.map((category) => `| ${category} | ${report.counts[category]} |`),
    "",
  );
  for (const category of DIFF_CATEGORIES) {
    const found = report.differences.filter((difference) => difference.category === category);
    if (found.length === 0) continue;
    lines.push(`## ${TITLES[category]}`, "", "| entry | request | operation | kind | where | problem |");
    lines.push("| --- | --- | --- | --- | --- | --- |");
    for (const d of found)
      lines.push(
        `| ${d.entry} | ${code(`${d.method} ${d.path}`)} | ${d.operationId ?? ""} | ${d.kind} | ${d.pointer ? code(d.pointer) : ""} | ${cell(d.problem)} |`,
      );
    lines.push("");
  }
  if (report.images.length > 0) {
    lines.push(
      "## Output images",
      "",
      "| entry | path | recorded | emulator | mask IoU |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const image of report.images)
      lines.push(
        `| ${image.entry} | ${code(image.path)} | ${image.recorded.width}×${image.recorded.height} ${image.recorded.format} | ${image.emulator.width}×${image.emulator.height} ${image.emulator.format} | ${image.iou.toFixed(3)} |`,
      );
    lines.push("", `A mask IoU under ${report.minIoU} is a difference.`, "");
  }
  if (report.skipped.length > 0) {
    lines.push("## Not compared", "", "| entry | request | reason | detail |", "| --- | --- | --- | --- |");
    for (const s of report.skipped)
      lines.push(`| ${s.entry} | ${code(`${s.method} ${s.path}`)} | ${s.reason} | ${cell(s.detail)} |`);
    lines.push("");
  }
  lines.push(
    "## Not differences",
    "",
    `Values of ${report.volatileFields.map(code).join(", ")} (ids, timestamps, tokens, URLs), of numbers and of prose are not compared; their presence and JSON types are. A job's polls before its last are compared only where both services report the same state.`,
    "",
  );
  return `${lines.join("\n")}`;
}
