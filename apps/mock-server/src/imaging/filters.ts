/**
 * Generic filters over one-byte-per-pixel masks and float fields: Otsu's threshold, a 3×3 smooth,
 * connected components, morphology, hole filling and a box blur. Pure and deterministic; the
 * segmentation, the object masks, refine-mask and decontamination build on them.
 */

const HISTOGRAM_BINS = 256;

/** Otsu's threshold over a 256-bin histogram of the values in [0, max]. */
export function otsuThreshold(values: Float32Array): number {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  if (max === 0) return 0;
  const histogram = new Float64Array(HISTOGRAM_BINS);
  const scale = (HISTOGRAM_BINS - 1) / max;
  for (const v of values) {
    const bin = Math.round(v * scale);
    histogram[bin] = (histogram[bin] ?? 0) + 1;
  }
  let total = 0;
  let weightedTotal = 0;
  for (let b = 0; b < HISTOGRAM_BINS; b++) {
    total += histogram[b] ?? 0;
    weightedTotal += b * (histogram[b] ?? 0);
  }
  let below = 0;
  let weightedBelow = 0;
  let bestBin = 0;
  let bestVariance = -1;
  for (let b = 0; b < HISTOGRAM_BINS - 1; b++) {
    below += histogram[b] ?? 0;
    weightedBelow += b * (histogram[b] ?? 0);
    const above = total - below;
    if (below === 0 || above === 0) continue;
    const meanBelow = weightedBelow / below;
    const meanAbove = (weightedTotal - weightedBelow) / above;
    const variance = below * above * (meanBelow - meanAbove) ** 2;
    if (variance > bestVariance) {
      bestVariance = variance;
      bestBin = b;
    }
  }
  // The split lies between bin `bestBin` and the next one.
  return (bestBin + 0.5) / scale;
}

/** 3×3 mean filter (edge pixels average over their in-image neighbours) to calm sensor noise. */
export function smooth3x3(values: Float32Array, width: number, height: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let y = 0; y < height; y++) {
    const y0 = Math.max(0, y - 1);
    const y1 = Math.min(height - 1, y + 1);
    for (let x = 0; x < width; x++) {
      const x0 = Math.max(0, x - 1);
      const x1 = Math.min(width - 1, x + 1);
      let sum = 0;
      for (let yy = y0; yy <= y1; yy++) {
        for (let xx = x0; xx <= x1; xx++) sum += values[yy * width + xx] ?? 0;
      }
      out[y * width + x] = sum / ((y1 - y0 + 1) * (x1 - x0 + 1));
    }
  }
  return out;
}

/** The 8-connected components of a binary image: a label per pixel (0 = background) and each label's area. */
export interface Components {
  /** One label per pixel, 1-based in scan order of each component's first pixel; 0 = background. */
  labels: Int32Array;
  /** `areas[label]` = pixel count (`areas[0]` is unused, 0). */
  areas: number[];
}

/**
 * Labels the 8-connected non-zero components of `fg` (breadth-first, in scan order).
 *
 * @param queue - scratch space of the image's size (allocated when absent).
 */
export function labelComponents(
  fg: Uint8Array,
  width: number,
  height: number,
  queue: Int32Array = new Int32Array(fg.length),
): Components {
  const labels = new Int32Array(fg.length);
  const areas: number[] = [0];
  for (let start = 0; start < fg.length; start++) {
    if (fg[start] === 0 || labels[start] !== 0) continue;
    const label = areas.length;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    labels[start] = label;
    while (head < tail) {
      const i = queue[head++] ?? 0;
      const x = i % width;
      const y = (i - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const j = ny * width + nx;
          if (fg[j] !== 0 && labels[j] === 0) {
            labels[j] = label;
            queue[tail++] = j;
          }
        }
      }
    }
    areas.push(tail);
  }
  return { labels, areas };
}

/**
 * Keeps the 8-connected foreground components of at least `minArea` pixels (the largest one is
 * always kept), in place. `queue` is scratch space of the image's size.
 */
export function keepLargeComponents(
  fg: Uint8Array,
  width: number,
  height: number,
  minArea: number,
  queue: Int32Array,
) {
  const { labels, areas } = labelComponents(fg, width, height, queue);
  let largest = 0;
  for (let label = 1; label < areas.length; label++) {
    if ((areas[label] ?? 0) > (areas[largest] ?? 0)) largest = label;
  }
  for (let i = 0; i < fg.length; i++) {
    const label = labels[i] ?? 0;
    if (label !== 0 && label !== largest && (areas[label] ?? 0) < minArea) fg[i] = 0;
  }
}

/**
 * One separable square dilation (`grow`) or erosion of radius r, in place; `tmp` is scratch space.
 * Outside the image counts as background for dilation and as foreground for erosion, so a
 * closing (dilate, then erode) does not eat into subjects touching the frame.
 */
export function morph(
  fg: Uint8Array,
  tmp: Uint8Array,
  width: number,
  height: number,
  r: number,
  grow: boolean,
): void {
  const hit = grow ? 1 : 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = 1 - hit;
      for (let k = Math.max(0, x - r); k <= Math.min(width - 1, x + r) && v !== hit; k++) {
        if (fg[y * width + k] === hit) v = hit;
      }
      tmp[y * width + x] = v;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = 1 - hit;
      for (let k = Math.max(0, y - r); k <= Math.min(height - 1, y + r) && v !== hit; k++) {
        if (tmp[k * width + x] === hit) v = hit;
      }
      fg[y * width + x] = v;
    }
  }
}

/** Marks as foreground every background pixel that no 4-connected path links to the border. */
export function fillHoles(fg: Uint8Array, width: number, height: number, queue: Int32Array): void {
  const outside = new Uint8Array(fg.length);
  let head = 0;
  let tail = 0;
  const seed = (i: number) => {
    if (fg[i] === 0 && outside[i] === 0) {
      outside[i] = 1;
      queue[tail++] = i;
    }
  };
  for (let x = 0; x < width; x++) {
    seed(x);
    seed((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    seed(y * width);
    seed(y * width + width - 1);
  }
  while (head < tail) {
    const i = queue[head++] ?? 0;
    const x = i % width;
    if (x > 0) seed(i - 1);
    if (x < width - 1) seed(i + 1);
    if (i >= width) seed(i - width);
    if (i < fg.length - width) seed(i + width);
  }
  for (let i = 0; i < fg.length; i++) if (outside[i] === 0) fg[i] = 1;
}

/**
 * One separable box blur of radius r (edges clamp: outside pixels repeat the edge), from `src`
 * into `dst`; `tmp` is scratch space. Running sums: O(1) per pixel whatever the radius.
 */
export function boxBlur(
  src: Float32Array,
  dst: Float32Array,
  tmp: Float32Array,
  width: number,
  height: number,
  r: number,
) {
  const size = 2 * r + 1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const at = (x: number) => src[row + Math.min(width - 1, Math.max(0, x))] ?? 0;
    let sum = 0;
    for (let k = -r; k <= r; k++) sum += at(k);
    for (let x = 0; x < width; x++) {
      tmp[row + x] = sum / size;
      sum += at(x + r + 1) - at(x - r);
    }
  }
  for (let x = 0; x < width; x++) {
    const at = (y: number) => tmp[Math.min(height - 1, Math.max(0, y)) * width + x] ?? 0;
    let sum = 0;
    for (let k = -r; k <= r; k++) sum += at(k);
    for (let y = 0; y < height; y++) {
      dst[y * width + x] = sum / size;
      sum += at(y + r + 1) - at(y - r);
    }
  }
}
