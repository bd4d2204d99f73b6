import { describe, expect, it } from "vitest";
import type { RawImage } from "./raster.js";
import { asBytes, cropRaw } from "./raster.js";

describe("raw pixel helpers", () => {
  const image: RawImage = {
    data: Uint8Array.from({ length: 12 }, (_, i) => i),
    width: 4,
    height: 3,
    channels: 1,
  };

  it("cropRaw copies a rectangle row by row", () => {
    const crop = cropRaw(image, { x: 1, y: 1, width: 2, height: 2 });
    expect([...crop.data]).toEqual([5, 6, 9, 10]);
    expect([crop.width, crop.height, crop.channels]).toEqual([2, 2, 1]);
  });

  it("cropRaw gives back the image itself when the box is the whole frame (no copy when nothing is trimmed)", () => {
    expect(cropRaw(image, { x: 0, y: 0, width: 4, height: 3 })).toBe(image);
  });

  it("asBytes views a Buffer's memory instead of copying it", () => {
    const buffer = Buffer.from([1, 2, 3, 4]).subarray(1);
    const bytes = asBytes(buffer);
    expect([...bytes]).toEqual([2, 3, 4]);
    buffer[0] = 9;
    expect(bytes[0]).toBe(9);
  });
});
