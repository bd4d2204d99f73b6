import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { maskBodyParts } from "./body-parts.js";
import { ImageDecodeError } from "./errors.js";
import { fillMaskedAreas, pushPullFill } from "./fill.js";
import { maskObjects } from "./mask-objects.js";
import { refineMask } from "./refine-mask.js";
import { decodePng, fixture, iou, redDisc } from "./testing/images.js";

type Box = { x: number; y: number; width: number; height: number };

/** Whether every non-zero pixel of a one-channel mask lies inside `box`. */
function contains(box: Box, mask: Uint8Array, width: number): boolean {
  for (let i = 0; i < mask.length; i++) {
    if ((mask[i] ?? 0) === 0) continue;
    const x = i % width;
    const y = (i - x) / width;
    if (x < box.x || x >= box.x + box.width || y < box.y || y >= box.y + box.height) return false;
  }
  return true;
}

async function png(data: Uint8Array, width: number, height: number, channels: 1 | 3) {
  let image = sharp(data, { raw: { width, height, channels } });
  if (channels === 1) image = image.toColourspace("b-w");
  return new Uint8Array(await image.png().toBuffer());
}

/** Two discs (red and blue) on mid grey, 400 × 240. */
async function twoDiscs() {
  const width = 400;
  const height = 240;
  const raw = new Uint8Array(width * height * 3);
  const inRed = (x: number, y: number) => (x - 110) ** 2 + (y - 120) ** 2 <= 60 ** 2;
  const inBlue = (x: number, y: number) => (x - 290) ** 2 + (y - 110) ** 2 <= 50 ** 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      raw.set(
        inRed(x, y) ? [210, 30, 30] : inBlue(x, y) ? [30, 40, 210] : [128, 128, 128],
        (y * width + x) * 3,
      );
    }
  }
  return { png: await png(raw, width, height, 3), width, height, inRed, inBlue };
}

describe("maskObjects", () => {
  it("reports one mask per region with a label, a score and a bounding box that contains it", async () => {
    const image = await twoDiscs();
    const { semanticMasks, backgroundMasks } = await maskObjects(image.png);
    expect(semanticMasks).toHaveLength(2);
    const decodedMasks = await Promise.all(semanticMasks.map((m) => decodePng(m.mask)));
    for (const [i, region] of semanticMasks.entries()) {
      const { data, info } = decodedMasks[i] as Awaited<ReturnType<typeof decodePng>>;
      expect([info.width, info.height, info.channels]).toEqual([image.width, image.height, 1]);
      expect(region.label).toBe("object");
      expect(region.score).toBeGreaterThan(0.5);
      expect(region.score).toBeLessThanOrEqual(1);
      expect(contains(region.boundingBox, data, info.width)).toBe(true);
    }
    // Largest first: the red disc (r 60), then the blue one (r 50), each found well.
    expect(iou((decodedMasks[0] as { data: Uint8Array }).data, image.width, image.inRed)).toBeGreaterThan(
      0.85,
    );
    expect(iou((decodedMasks[1] as { data: Uint8Array }).data, image.width, image.inBlue)).toBeGreaterThan(
      0.85,
    );
    expect(semanticMasks[0]?.boundingBox.x).toBeGreaterThanOrEqual(40);
    expect(semanticMasks[0]?.boundingBox.x).toBeLessThanOrEqual(50);
    expect(backgroundMasks.map((m) => m.label)).toEqual(["background"]);
    const background = await decodePng(backgroundMasks[0]?.mask ?? new Uint8Array());
    expect(background.data[0]).toBe(255);
    expect(background.data[120 * image.width + 110]).toBe(0);
  });

  it("is deterministic", async () => {
    const { png: input } = await twoDiscs();
    const [a, b] = await Promise.all([maskObjects(input), maskObjects(input)]);
    expect(
      Buffer.from(a.semanticMasks[0]?.mask ?? []).equals(Buffer.from(b.semanticMasks[0]?.mask ?? [])),
    ).toBe(true);
    expect(a.semanticMasks.map((m) => m.boundingBox)).toEqual(b.semanticMasks.map((m) => m.boundingBox));
  });

  it("refuses inputs over 4000 px and WebP (masking takes JPEG and PNG)", async () => {
    const wide = await sharp({ create: { width: 4001, height: 2, channels: 3, background: "#000" } })
      .png()
      .toBuffer();
    await expect(maskObjects(new Uint8Array(wide))).rejects.toMatchObject({ reason: "too-large" });
    const webp = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#000" } })
      .webp()
      .toBuffer();
    const error = await maskObjects(new Uint8Array(webp)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageDecodeError);
    expect((error as ImageDecodeError).message).toMatch(/WebP image; only JPEG or PNG/);
  });
});

describe("maskBodyParts", () => {
  it("splits the person's mask into parts whose masks lie inside the person and their boxes", async () => {
    const astronaut = await fixture("astronaut.png");
    const { semanticMasks } = await maskObjects(astronaut);
    const person = semanticMasks[0]?.mask ?? new Uint8Array();
    const parts = await maskBodyParts(astronaut, person, { granular: true });
    const labels = parts.map((p) => p.label);
    expect(labels[0]).toBe("Background");
    expect(labels).toEqual(expect.arrayContaining(["Hair", "Face", "Upper Clothes"]));
    expect(labels.some((l) => /^(Left|Right) /.test(l))).toBe(true);
    const subject = await decodePng(person);
    for (const part of parts) {
      const { data, info } = await decodePng(part.mask);
      expect([info.width, info.height, info.channels]).toEqual([512, 512, 1]);
      expect(contains(part.boundingBox, data, info.width)).toBe(true);
      if (part.label === "Background") continue;
      // A part never claims a pixel the person's mask does not.
      expect(data.every((v, i) => v === 0 || v === subject.data[i])).toBe(true);
    }
    const combined = await maskBodyParts(astronaut, person);
    expect(combined.map((p) => p.label).some((l) => /^(Left|Right) /.test(l))).toBe(false);
  });
});

describe("refineMask", () => {
  it("moves a blocky mask's edge onto the object's edge", async () => {
    const disc = await redDisc();
    // The disc's mask drawn in 16 px blocks: right on average, wrong along the whole edge.
    const blocky = new Uint8Array(disc.width * disc.height);
    for (let y = 0; y < disc.height; y++) {
      for (let x = 0; x < disc.width; x++) {
        blocky[y * disc.width + x] = disc.inDisc(Math.floor(x / 16) * 16 + 8, Math.floor(y / 16) * 16 + 8)
          ? 255
          : 0;
      }
    }
    const before = iou(blocky, disc.width, disc.inDisc);
    const refined = await refineMask(disc.png, await png(blocky, disc.width, disc.height, 1));
    expect(refined.mediaType).toBe("image/png");
    const { data, info } = await decodePng(refined.bytes);
    expect([info.width, info.height, info.channels]).toEqual([disc.width, disc.height, 1]);
    const after = iou(data, info.width, disc.inDisc);
    expect(after).toBeGreaterThan(before + 0.02);
    expect(contains(refined.boundingBox, data, info.width)).toBe(true);
    const cutout = await refineMask(disc.png, await png(blocky, disc.width, disc.height, 1), {
      colorDecontamination: true,
    });
    const rgba = await decodePng(cutout.bytes);
    expect(rgba.info.channels).toBe(4);
    expect(rgba.data.filter((_, i) => i % 4 === 3).every((v, i) => v === data[i])).toBe(true);
  });
});

describe("fillMaskedAreas", () => {
  it("fills the hole from its surroundings: close to the hidden background, not constant, outside unchanged", async () => {
    const width = 320;
    const height = 200;
    const background = (x: number, y: number) => [
      Math.round((x / width) * 200) + 20,
      Math.round((y / height) * 180) + 30,
      90,
    ];
    const inDisc = (x: number, y: number) => (x - 160) ** 2 + (y - 100) ** 2 <= 40 ** 2;
    const raw = new Uint8Array(width * height * 3);
    const hole = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        raw.set(inDisc(x, y) ? [255, 0, 255] : background(x, y), (y * width + x) * 3);
        hole[y * width + x] = (x - 160) ** 2 + (y - 100) ** 2 <= 44 ** 2 ? 255 : 0;
      }
    }
    const result = await fillMaskedAreas(await png(raw, width, height, 3), [
      await png(hole, width, height, 1),
    ]);
    expect(result.mediaType).toBe("image/png");
    const { data, info } = await decodePng(result.bytes);
    expect([info.width, info.height, info.channels]).toEqual([width, height, 3]);
    let error = 0;
    let count = 0;
    const reds = new Set<number>();
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 3;
        if (inDisc(x, y)) {
          const truth = background(x, y);
          for (let c = 0; c < 3; c++) error += Math.abs((data[i + c] ?? 0) - (truth[c] ?? 0));
          count += 3;
          reds.add(data[i] ?? 0);
        } else if ((hole[y * width + x] ?? 0) === 0) {
          expect([...data.subarray(i, i + 3)]).toEqual(background(x, y));
        }
      }
    }
    // Mean error under 12 levels where the magenta disc was (it was 100+ away), and a gradient, not one colour.
    expect(error / count).toBeLessThan(12);
    expect(reds.size).toBeGreaterThan(20);
  });

  it("pushPullFill leaves known pixels alone and fills a one-pixel hole with its neighbours' mean", () => {
    const rgb = new Uint8Array([10, 10, 10, 0, 0, 0, 30, 30, 30]);
    const out = pushPullFill(rgb, new Uint8Array([1, 0, 1]), 3, 1);
    expect([...out]).toEqual([10, 10, 10, 20, 20, 20, 30, 30, 30]);
  });
});
