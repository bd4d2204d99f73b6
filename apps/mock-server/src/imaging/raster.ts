/** Raw interleaved 8-bit pixels: 1 channel (grey), 3 (sRGB) or 4 (sRGB + alpha, not premultiplied). */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/** A pixel rectangle, origin top-left (the spec's `ImageBoundingBox`). */
export interface BoundingBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The smallest rectangle holding every pixel of a one-byte-per-pixel mask above `threshold`,
 * or `undefined` when there is none.
 */
export function boundingBox(
  mask: Uint8Array,
  width: number,
  height: number,
  threshold = 0,
): BoundingBox | undefined {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    let last = -1;
    for (let x = 0; x < width; x++) {
      if ((mask[row + x] ?? 0) > threshold) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first < 0) continue;
    if (y < y0) y0 = y;
    y1 = y;
    if (first < x0) x0 = first;
    if (last > x1) x1 = last;
  }
  return x1 < 0 ? undefined : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/**
 * The bytes of a Buffer (sharp's `toBuffer()`) as a Uint8Array view of the same memory: no copy
 * (`new Uint8Array(buffer)` copies the whole frame).
 */
export function asBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/**
 * A rectangle of raw pixels: a copy, or `image` itself when `box` is the whole frame (nothing to
 * trim), so treat the result as read-only.
 */
export function cropRaw(image: RawImage, box: BoundingBox): RawImage {
  const { channels } = image;
  if (box.x === 0 && box.y === 0 && box.width === image.width && box.height === image.height) return image;
  const data = new Uint8Array(box.width * box.height * channels);
  for (let y = 0; y < box.height; y++) {
    const from = ((box.y + y) * image.width + box.x) * channels;
    data.set(image.data.subarray(from, from + box.width * channels), y * box.width * channels);
  }
  return { data, width: box.width, height: box.height, channels };
}

/** Joins sRGB pixels and a one-byte alpha into RGBA. */
export function joinAlpha(rgb: Uint8Array, alpha: Uint8Array, width: number, height: number): RawImage {
  const n = width * height;
  const data = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    data[i * 4] = rgb[i * 3] ?? 0;
    data[i * 4 + 1] = rgb[i * 3 + 1] ?? 0;
    data[i * 4 + 2] = rgb[i * 3 + 2] ?? 0;
    data[i * 4 + 3] = alpha[i] ?? 0;
  }
  return { data, width, height, channels: 4 };
}
