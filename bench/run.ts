// `pnpm bench [-- <name>…] [--quick]`: runs every bench (or the named ones) in order, writes
// results/<name>.json and rebuilds the table in README.md. Exits 1 when a bench fails to run or
// misses a target, so a regression is never silent.
import { cpus } from "node:os";
import * as batch from "./batch.js";
import * as bundle from "./bundle.js";
import * as client from "./client.js";
import * as composite from "./composite.js";
import * as emulator from "./emulator.js";
import * as jobs from "./jobs.js";
import type { BenchContext } from "./lib/context.js";
import { CLIENT_CORE, pinSelf } from "./lib/proc.js";
import { type BenchOutcome, codeVersion, load, machine, updateReadme, writeResult } from "./lib/report.js";
import * as singleFlight from "./single-flight.js";

const benches: Record<string, (context: BenchContext) => Promise<BenchOutcome>> = {
  emulator: emulator.run,
  client: client.run,
  "single-flight": singleFlight.run,
  jobs: jobs.run,
  bundle: bundle.run,
  batch: batch.run,
  composite: composite.run,
};
const order = Object.keys(benches);
// Above this 1-minute load average other work competes for the two cores; the results say so.
const BUSY_LOAD = 1.5;

const args = process.argv.slice(2).filter((arg) => arg !== "--");
const quick = args.includes("--quick");
const named = args.filter((arg) => !arg.startsWith("--"));
const unknown = named.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(", ")} (known: ${order.join(", ")})`);
  process.exit(2);
}
const selected = named.length > 0 ? order.filter((name) => named.includes(name)) : order;
const command = ["pnpm bench", ...(args.length > 0 ? ["--", ...args] : [])].join(" ");

// Everything measured in this process (clients, the load generator it spawns) runs on the client
// core; servers are started on the other one.
pinSelf(CLIENT_CORE);

let failed = false;
const started = Date.now();
for (const name of selected) {
  const run = benches[name];
  if (!run) continue;
  const t0 = Date.now();
  const before = load();
  const code = codeVersion();
  console.log(`\n▶ ${name}${quick ? " (quick)" : ""} (load average ${before})`);
  if (before > BUSY_LOAD) {
    console.log(
      `  warning: the machine is busy (load ${before} on ${cpus().length} cores); figures will be noisy`,
    );
  }
  try {
    const outcome = await run({ quick, log: (message) => console.log(`  ${message}`) });
    writeResult({
      name,
      machine: machine(),
      date: new Date().toISOString(),
      command,
      loadAverage: { before, after: load() },
      code,
      ...outcome,
    });
    for (const figure of outcome.figures) {
      const verdict = figure.pass === undefined ? "" : figure.pass ? "  pass" : "  FAIL";
      const against = figure.ratio === undefined ? "" : `  (${figure.ratio}× ${figure.baseline?.label})`;
      console.log(`  ${figure.label}: ${figure.value} ${figure.unit}${against}${verdict}`);
      if (figure.pass === false) failed = true;
    }
    console.log(`  done in ${Math.round((Date.now() - t0) / 1000)} s`);
  } catch (error) {
    failed = true;
    console.error(`  ${name} could not run:`, error);
  }
}
updateReadme(order);
console.log(
  `\nall done in ${Math.round((Date.now() - started) / 1000)} s; results in bench/results/, table in bench/README.md`,
);
process.exit(failed ? 1 : 0);
