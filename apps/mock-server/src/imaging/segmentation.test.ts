import { describe, expect, it } from "vitest";
import { otsuThreshold } from "./filters.js";
import { segmentSubject } from "./segmentation.js";

/** An RGBA image filled with `background`, with `paint(x, y)` giving the colour of other pixels. */
function image(
  width: number,
  height: number,
  background: [number, number, number, number],
  paint: (x: number, y: number) => [number, number, number, number] | undefined,
) {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(paint(x, y) ?? background, (y * width + x) * 4);
  }
  return { data, width, height };
}

const GREY: [number, number, number, number] = [128, 128, 128, 255];
const GREEN: [number, number, number, number] = [30, 160, 60, 255];

describe("otsuThreshold", () => {
  it("splits two clusters of values between them", () => {
    const values = new Float32Array(200).map((_, i) => (i < 120 ? 10 + (i % 3) : 50 + (i % 5)));
    const threshold = otsuThreshold(values);
    expect(threshold).toBeGreaterThan(12);
    expect(threshold).toBeLessThan(50);
  });

  it("returns 0 when every value is 0", () => {
    expect(otsuThreshold(new Float32Array(10))).toBe(0);
  });
});

describe("segmentSubject", () => {
  it("finds a square subject in the middle of a plain background", () => {
    const square = image(80, 60, GREY, (x, y) =>
      x >= 30 && x < 50 && y >= 20 && y < 40 ? GREEN : undefined,
    );
    const mask = segmentSubject(square);
    expect(mask[30 * 80 + 40]).toBe(255);
    expect(mask[5 * 80 + 5]).toBe(0);
    // feathered edge: values between 0 and 255 just outside the square
    expect(mask[30 * 80 + 29]).toBeGreaterThan(0);
    expect(mask[30 * 80 + 29]).toBeLessThan(255);
  });

  it("keeps a subject that reaches the frame when its colour fills the centre", () => {
    // A close-up: the green subject covers the left 65 % of the frame, so green is over half
    // of the border band; it must not be taken for background.
    const closeUp = image(100, 100, GREY, (x) => (x < 65 ? GREEN : undefined));
    const mask = segmentSubject(closeUp);
    expect(mask[50 * 100 + 35]).toBe(255);
    expect(mask[50 * 100 + 95]).toBe(0);
    // Without the centre rule the green would be modelled as background.
    expect(segmentSubject(closeUp, { centreDominance: Number.POSITIVE_INFINITY })[50 * 100 + 35]).toBe(0);
  });

  it("drops specks smaller than 0.2 % of the image", () => {
    const speck = image(100, 100, GREY, (x, y) =>
      (x >= 40 && x < 60 && y >= 40 && y < 60) || (x === 10 && y === 80) ? GREEN : undefined,
    );
    const mask = segmentSubject(speck);
    expect(mask[50 * 100 + 50]).toBe(255);
    expect(mask[80 * 100 + 10]).toBe(0);
  });

  it("fills holes inside the subject", () => {
    const ring = image(100, 100, GREY, (x, y) => {
      const r = Math.hypot(x - 50, y - 50);
      return r < 30 && r >= 10 ? GREEN : undefined;
    });
    expect(segmentSubject(ring)[50 * 100 + 50]).toBe(255);
  });

  it("uses alpha alone when the whole border is transparent", () => {
    const clear: [number, number, number, number] = [0, 0, 0, 0];
    const cutOut = image(40, 40, clear, (x, y) =>
      x >= 10 && x < 30 && y >= 10 && y < 30 ? GREY : undefined,
    );
    const mask = segmentSubject(cutOut);
    expect(mask[20 * 40 + 20]).toBe(255);
    expect(mask[2 * 40 + 2]).toBe(0);
  });
});
