import type { Layer } from "ag-psd";
import type { Pixels } from "../pixels.js";

/** The pixels turned by a multiple of 90° clockwise (1, 2 or 3 quarter turns). */
export function rotatePixels(pixels: Pixels, quarterTurns: 1 | 2 | 3): Pixels {
  const { width: w, height: h, data } = pixels;
  const out: Pixels =
    quarterTurns === 2
      ? { data: new Uint8ClampedArray(data.length), width: w, height: h }
      : { data: new Uint8ClampedArray(data.length), width: h, height: w };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [nx, ny] =
        quarterTurns === 1 ? [h - 1 - y, x] : quarterTurns === 2 ? [w - 1 - x, h - 1 - y] : [y, w - 1 - x];
      const from = (y * w + x) * 4;
      out.data.set(data.subarray(from, from + 4), (ny * out.width + nx) * 4);
    }
  }
  return out;
}

/** The pixels mirrored left to right (`horizontal`) or top to bottom (`vertical`). */
export function flipPixels(pixels: Pixels, axis: "horizontal" | "vertical"): Pixels {
  const { width: w, height: h, data } = pixels;
  const out: Pixels = { data: new Uint8ClampedArray(data.length), width: w, height: h };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const from = (y * w + x) * 4;
      const nx = axis === "horizontal" ? w - 1 - x : x;
      const ny = axis === "vertical" ? h - 1 - y : y;
      out.data.set(data.subarray(from, from + 4), (ny * w + nx) * 4);
    }
  }
  return out;
}

/** Photoshop's Invert: each colour channel becomes 255 minus itself; alpha is kept. */
export function invertPixels(pixels: Pixels): Pixels {
  const data = new Uint8ClampedArray(pixels.data);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = 255 - (data[i] ?? 0);
    data[i + 1] = 255 - (data[i + 1] ?? 0);
    data[i + 2] = 255 - (data[i + 2] ?? 0);
  }
  return { ...pixels, data };
}

/**
 * Photoshop's Desaturate: each pixel becomes grey at its HSL lightness, (max + min) / 2 of its
 * channels (rounded); alpha is kept.
 */
export function desaturatePixels(pixels: Pixels): Pixels {
  const data = new Uint8ClampedArray(pixels.data);
  for (let i = 0; i < data.length; i += 4) {
    const r = data[i] ?? 0;
    const g = data[i + 1] ?? 0;
    const b = data[i + 2] ?? 0;
    const v = Math.round((Math.max(r, g, b) + Math.min(r, g, b)) / 2);
    data[i] = v;
    data[i + 1] = v;
    data[i + 2] = v;
  }
  return { ...pixels, data };
}

type Rect = { left?: number; top?: number; right?: number; bottom?: number };

/** A rectangle on a `width` x `height` canvas after the canvas turns `quarterTurns` × 90° clockwise. */
export function rotateRect(r: Rect, quarterTurns: 1 | 2 | 3, width: number, height: number): void {
  const l = r.left ?? 0;
  const t = r.top ?? 0;
  const rt = r.right ?? l;
  const b = r.bottom ?? t;
  const [left, top, right, bottom] =
    quarterTurns === 1
      ? [height - b, l, height - t, rt]
      : quarterTurns === 2
        ? [width - rt, height - b, width - l, height - t]
        : [t, width - rt, b, width - l];
  Object.assign(r, { left, top, right, bottom });
}

/** A rectangle on a `width` x `height` canvas after the canvas is mirrored on `axis`. */
export function flipRect(r: Rect, axis: "horizontal" | "vertical", width: number, height: number): void {
  const l = r.left ?? 0;
  const t = r.top ?? 0;
  const rt = r.right ?? l;
  const b = r.bottom ?? t;
  if (axis === "horizontal") Object.assign(r, { left: width - rt, right: width - l });
  else Object.assign(r, { top: height - b, bottom: height - t });
}

/** Every layer of a tree, groups included, parents before their children. */
export function* everyLayer(layers: readonly Layer[] | undefined): Generator<Layer> {
  for (const layer of layers ?? []) {
    yield layer;
    yield* everyLayer(layer.children);
  }
}
