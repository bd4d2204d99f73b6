// The yardstick for a create-composite job on this machine: the same layers composited with sharp
// alone — read each layer's PNG, lay them over the background at their offsets in one libvips
// pipeline, write a PNG at zlib level 6 (the emulator's default). No PSD, HTTP or storage. Run as a
// child process on the server core:
// `node --import tsx lib/composite-reference.ts <layers.json> <count>`; prints `{"seconds":[…]}`.
import { readFileSync } from "node:fs";
import sharp from "sharp";
import type { ReferenceLayer } from "../composite.js";

const [layout, countArg] = process.argv.slice(2);
if (!layout || !countArg) throw new Error("usage: composite-reference.ts <layers.json> <count>");
const layers = JSON.parse(readFileSync(layout, "utf8")) as ReferenceLayer[];
const count = Number(countArg);

async function oneComposite(): Promise<number> {
  const [background, ...rest] = layers;
  if (!background) throw new Error("no layers");
  const png = await sharp(readFileSync(background.file))
    .composite(rest.map((layer) => ({ input: readFileSync(layer.file), left: layer.left, top: layer.top })))
    .png({ compressionLevel: 6 })
    .toBuffer();
  return png.length;
}

await oneComposite(); // warm-up
const seconds: number[] = [];
for (let i = 0; i < count; i += 1) {
  const started = performance.now();
  await oneComposite();
  seconds.push((performance.now() - started) / 1000);
}
console.log(JSON.stringify({ seconds }));
