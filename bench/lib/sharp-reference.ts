// A yardstick for one mask on this machine: the image I/O a mask job does, with sharp alone —
// decode the JPEG (shrink-on-load to a 256 px working size), threshold it, scale it back to full
// size with nearest-neighbour, and write a one-channel PNG (zlib level 2). No segmentation, no
// HTTP, no storage. Run as a child process on the server core:
// `node --import tsx lib/sharp-reference.ts <jpeg> <count> <concurrency>`; prints `{"seconds":…}`.
import { readFileSync } from "node:fs";
import sharp from "sharp";

const [path, countArg, concurrencyArg] = process.argv.slice(2);
if (!path || !countArg || !concurrencyArg)
  throw new Error("usage: sharp-reference.ts <jpeg> <count> <concurrency>");
const input = readFileSync(path);
const count = Number(countArg);
const concurrency = Number(concurrencyArg);
const { width = 0, height = 0 } = await sharp(input).metadata();

async function oneMask(): Promise<number> {
  const small = await sharp(input)
    .resize(256, 256, { fit: "inside" })
    .greyscale()
    .threshold(128)
    .raw()
    .toBuffer({ resolveWithObject: true });
  const png = await sharp(small.data, {
    raw: { width: small.info.width, height: small.info.height, channels: 1 },
  })
    .resize(width, height, { fit: "fill", kernel: "nearest" })
    .toColourspace("b-w")
    .png({ compressionLevel: 2 })
    .toBuffer();
  return png.length;
}

await oneMask(); // warm-up
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < count) {
      next += 1;
      await oneMask();
    }
  }),
);
console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000 }));
