import { initializeCanvas } from "ag-psd";

/** RGBA pixels, 8 bits a channel, not premultiplied: ag-psd's `ImageData` shape. */
export interface Pixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** A transparent frame. */
export function blank(width: number, height: number): Pixels {
  return { data: new Uint8ClampedArray(width * height * 4), width, height };
}

/** A frame filled with one colour. */
export function filled(
  width: number,
  height: number,
  rgb: readonly [number, number, number],
  alpha = 255,
): Pixels {
  const out = blank(width, height);
  const [r, g, b] = rgb;
  for (let i = 0; i < out.data.length; i += 4) {
    out.data[i] = r;
    out.data[i + 1] = g;
    out.data[i + 2] = b;
    out.data[i + 3] = alpha;
  }
  return out;
}

let ready = false;

/**
 * Lets ag-psd decode layer and composite pixels into plain `ImageData` in Node, where it has no
 * canvas: every reader of PSD pixels calls this first. Drawing on a canvas stays unavailable (an
 * error if ever asked for).
 */
export function preparePsdPixels(): void {
  if (ready) return;
  initializeCanvas(
    () => {
      throw new Error("[@psapi/mock-server] no canvas in Node: PSD pixels are read as ImageData only");
    },
    (width, height) =>
      ({ width, height, data: new Uint8ClampedArray(width * height * 4), colorSpace: "srgb" }) as ImageData,
  );
  ready = true;
}
