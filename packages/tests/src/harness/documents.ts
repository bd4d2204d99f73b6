// The template PSD the document suites share (create-composite, create-artboard and
// execute-actions end to end), built with ag-psd so that every layer and pixel is known.
import { type Layer, type Psd, writePsdUint8Array } from "ag-psd";

export type Rgb = readonly [number, number, number];
export const WHITE: Rgb = [250, 250, 250];
export const RED: Rgb = [220, 30, 30];
export const BLUE: Rgb = [40, 60, 230];
export const GREEN: Rgb = [30, 200, 60];

/** Solid RGBA pixels, as ag-psd reads and writes them. */
export function solid(width: number, height: number, rgb: Rgb): ImageData {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set([...rgb, 255], i);
  return { data, width, height, colorSpace: "srgb" } as ImageData;
}

function box(name: string, rgb: Rgb, left: number, top: number, width: number, height: number): Layer {
  return { name, left, top, right: left + width, bottom: top + height, imageData: solid(width, height, rgb) };
}

/**
 * A 120 × 80 template: a white background, a red box at (10,10) 30×20, a smart object "Product"
 * (blue, at (60,30) 40×20) and its stored composite.
 */
export function template(): Uint8Array<ArrayBuffer> {
  const product: Layer = {
    ...box("Product", BLUE, 60, 30, 40, 20),
    placedLayer: {
      id: "7b1e6a52-1f0e-4c55-9a8e-3c1f9b2d4e01",
      type: "raster",
      width: 40,
      height: 20,
      transform: [60, 30, 100, 30, 100, 50, 60, 50],
    },
  };
  const composite = solid(120, 80, WHITE);
  for (const [rgb, l, t, w, h] of [
    [RED, 10, 10, 30, 20],
    [BLUE, 60, 30, 40, 20],
  ] as const) {
    for (let y = t; y < t + h; y++)
      for (let x = l; x < l + w; x++) composite.data.set([...rgb, 255], (y * 120 + x) * 4);
  }
  const psd: Psd = {
    width: 120,
    height: 80,
    children: [box("Background", WHITE, 0, 0, 120, 80), box("Badge", RED, 10, 10, 30, 20), product],
    imageData: composite,
  };
  return new Uint8Array(writePsdUint8Array(psd, { noBackground: true }));
}
