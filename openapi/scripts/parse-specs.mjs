#!/usr/bin/env node
// Part of `build`: writes dist/parsed/<spec>.json, each shipped spec parsed from YAML, with the
// SHA-256 of the YAML text it came from. loadSpec reads it instead of parsing the YAML when the hash
// matches (a stale or missing copy falls back to the YAML): parsing photoshop.yaml took 0.26 s of
// every emulator start, so of every `psapi` command on the embedded emulator.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { parse } from "yaml";

const SPECS = ["photoshop.yaml", "photoshop-current.yaml", "ims.yaml", "emulator.yaml"];
const root = new URL("..", import.meta.url);
const out = new URL("dist/parsed/", root);
mkdirSync(out, { recursive: true });
for (const name of SPECS) {
  const text = readFileSync(new URL(name, root), "utf8");
  const sha256 = createHash("sha256").update(text).digest("hex");
  writeFileSync(new URL(`${name}.json`, out), JSON.stringify({ sha256, document: parse(text) }));
}
