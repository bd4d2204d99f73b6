/**
 * Subject/background separation on a small RGBA image (the working size, a few tens of
 * thousands of pixels). Pure and deterministic: no randomness, no I/O, the same pixels always
 * give the same mask. The algorithm and its limits are described in ./README.md.
 */

import { boxBlur, fillHoles, keepLargeComponents, morph, otsuThreshold, smooth3x3 } from "./filters.js";

/** Tunables of the separation; the defaults are what `computeMask` uses. */
export interface SegmentationParameters {
  /** Width of the border band that models the background, as a fraction of the shorter side. */
  borderFraction: number;
  /** Number of background colour clusters (k of the k-means over the border band). */
  backgroundClusters: number;
  /** Clusters holding less than this share of the border band are dropped as likely subject. */
  minClusterShare: number;
  /** A border cluster covering this many times more of the centre than of the border is subject. */
  centreDominance: number;
  /** Weight of lightness against chroma in the colour distance (< 1 forgives shadows). */
  lightnessWeight: number;
  /** Lowest accepted threshold, in CIE76 ΔE, so a plain image does not split on noise. */
  minThreshold: number;
  /** Foreground components smaller than this share of the image are dropped as specks. */
  minComponentShare: number;
  /** Radius in working pixels of the morphological closing that bridges thin gaps. */
  closingRadius: number;
  /** Radius in working pixels of each of the two box blurs that feather the soft mask. */
  featherRadius: number;
}

export const DEFAULT_SEGMENTATION: Readonly<SegmentationParameters> = Object.freeze({
  borderFraction: 0.04,
  backgroundClusters: 4,
  minClusterShare: 0.08,
  centreDominance: 1.2,
  lightnessWeight: 0.6,
  minThreshold: 12,
  minComponentShare: 0.002,
  closingRadius: 2,
  featherRadius: 1,
});

/** An interleaved 8-bit RGBA image. */
export interface RgbaImage {
  data: Uint8Array;
  width: number;
  height: number;
}

const KMEANS_ITERATIONS = 10;
/** A cluster must cover at least this share of the centre before it can count as subject. */
const MIN_SUBJECT_CENTRE_SHARE = 0.2;

/** sRGB 8-bit code value → linear light, computed once. */
const SRGB_TO_LINEAR = (() => {
  const table = new Float32Array(256);
  for (let i = 0; i < 256; i++) {
    const c = i / 255;
    table[i] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }
  return table;
})();

function labF(t: number): number {
  return t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116;
}

/**
 * Converts RGBA to CIE L*a*b* (D65), writing L scaled by `lightnessWeight` so that plain
 * Euclidean distance in the output is the weighted colour distance.
 */
function toLab(image: RgbaImage, lightnessWeight: number): Float32Array {
  const { data, width, height } = image;
  const n = width * height;
  const lab = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const r = SRGB_TO_LINEAR[data[i * 4] ?? 0] ?? 0;
    const g = SRGB_TO_LINEAR[data[i * 4 + 1] ?? 0] ?? 0;
    const b = SRGB_TO_LINEAR[data[i * 4 + 2] ?? 0] ?? 0;
    const fx = labF((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
    const fy = labF(0.2126 * r + 0.7152 * g + 0.0722 * b);
    const fz = labF((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
    lab[i * 3] = (116 * fy - 16) * lightnessWeight;
    lab[i * 3 + 1] = 500 * (fx - fy);
    lab[i * 3 + 2] = 200 * (fy - fz);
  }
  return lab;
}

function squaredDistance(lab: Float32Array, i: number, centres: Float64Array, k: number): number {
  const dl = (lab[i * 3] ?? 0) - (centres[k * 3] ?? 0);
  const da = (lab[i * 3 + 1] ?? 0) - (centres[k * 3 + 1] ?? 0);
  const db = (lab[i * 3 + 2] ?? 0) - (centres[k * 3 + 2] ?? 0);
  return dl * dl + da * da + db * db;
}

/** Index of the first of the `k` centres nearest to pixel `i`. */
function nearestCentre(lab: Float32Array, i: number, centres: Float64Array, k: number): number {
  let best = 0;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let j = 0; j < k; j++) {
    const d = squaredDistance(lab, i, centres, j);
    if (d < bestDistance) {
      bestDistance = d;
      best = j;
    }
  }
  return best;
}

/** Indices of the opaque pixels in the border band. */
function borderSamples(image: RgbaImage, fraction: number): Int32Array {
  const { data, width, height } = image;
  const band = Math.max(1, Math.round(Math.min(width, height) * fraction));
  const out = new Int32Array(width * height);
  let count = 0;
  for (let y = 0; y < height; y++) {
    const rowInBand = y < band || y >= height - band;
    for (let x = 0; x < width; x++) {
      if (!rowInBand && x >= band && x < width - band) {
        x = width - band - 1; // skip the interior of the row
        continue;
      }
      const i = y * width + x;
      if ((data[i * 4 + 3] ?? 0) >= 128) out[count++] = i;
    }
  }
  return out.subarray(0, count);
}

/**
 * For each centre, the share of the central box (the middle half of each side) lying within
 * `radius` of it. A border colour that fills the centre more than the border is the subject
 * reaching the edge of the frame (a close-up), not background.
 */
function centreShare(
  lab: Float32Array,
  width: number,
  height: number,
  centres: Float64Array,
  k: number,
  radius: number,
): Float64Array {
  const shares = new Float64Array(k);
  const x0 = Math.floor(width / 4);
  const x1 = Math.ceil((3 * width) / 4);
  const y0 = Math.floor(height / 4);
  const y1 = Math.ceil((3 * height) / 4);
  const limit = radius * radius;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = y * width + x;
      const best = nearestCentre(lab, i, centres, k);
      if (squaredDistance(lab, i, centres, best) <= limit) shares[best] = (shares[best] ?? 0) + 1;
    }
  }
  const area = (x1 - x0) * (y1 - y0);
  for (let j = 0; j < k; j++) shares[j] = (shares[j] ?? 0) / area;
  return shares;
}

/**
 * Deterministic k-means over the border samples: seeded with the sample mean, then each further
 * centre is the sample farthest from the centres so far (ties: lowest index). Returns the
 * centres whose clusters hold at least `minClusterShare` of the samples and do not look like
 * the subject (see {@link centreShare}).
 */
function backgroundModel(
  lab: Float32Array,
  width: number,
  height: number,
  samples: Int32Array,
  params: SegmentationParameters,
): Float64Array {
  const k = Math.max(1, Math.min(params.backgroundClusters, samples.length));
  const centres = new Float64Array(k * 3);
  const sums = new Float64Array(k * 3);
  const counts = new Float64Array(k);
  for (const s of samples) {
    sums[0] = (sums[0] ?? 0) + (lab[s * 3] ?? 0);
    sums[1] = (sums[1] ?? 0) + (lab[s * 3 + 1] ?? 0);
    sums[2] = (sums[2] ?? 0) + (lab[s * 3 + 2] ?? 0);
  }
  for (let c = 0; c < 3; c++) centres[c] = (sums[c] ?? 0) / samples.length;
  const nearest = new Float64Array(samples.length).fill(Number.POSITIVE_INFINITY);
  for (let j = 1; j < k; j++) {
    let farthest = 0;
    let farthestDistance = -1;
    for (let s = 0; s < samples.length; s++) {
      const d = Math.min(nearest[s] ?? 0, squaredDistance(lab, samples[s] ?? 0, centres, j - 1));
      nearest[s] = d;
      if (d > farthestDistance) {
        farthestDistance = d;
        farthest = samples[s] ?? 0;
      }
    }
    for (let c = 0; c < 3; c++) centres[j * 3 + c] = lab[farthest * 3 + c] ?? 0;
  }
  for (let iteration = 0; iteration < KMEANS_ITERATIONS; iteration++) {
    sums.fill(0);
    counts.fill(0);
    for (const s of samples) {
      const best = nearestCentre(lab, s, centres, k);
      counts[best] = (counts[best] ?? 0) + 1;
      for (let c = 0; c < 3; c++) sums[best * 3 + c] = (sums[best * 3 + c] ?? 0) + (lab[s * 3 + c] ?? 0);
    }
    for (let j = 0; j < k; j++) {
      const count = counts[j] ?? 0;
      if (count === 0) continue; // an empty cluster keeps its centre; it is dropped below
      for (let c = 0; c < 3; c++) centres[j * 3 + c] = (sums[j * 3 + c] ?? 0) / count;
    }
  }
  const centreShares = centreShare(lab, width, height, centres, k, params.minThreshold);
  const keep: number[] = [];
  let largest = 0;
  for (let j = 0; j < k; j++) {
    const borderShare = (counts[j] ?? 0) / samples.length;
    const centre = centreShares[j] ?? 0;
    const subjectLike = centre >= MIN_SUBJECT_CENTRE_SHARE && centre > params.centreDominance * borderShare;
    if (borderShare >= params.minClusterShare && !subjectLike) keep.push(j);
    if ((counts[j] ?? 0) > (counts[largest] ?? 0)) largest = j;
  }
  if (keep.length === 0) keep.push(largest);
  const model = new Float64Array(keep.length * 3);
  keep.forEach((j, m) => {
    for (let c = 0; c < 3; c++) model[m * 3 + c] = centres[j * 3 + c] ?? 0;
  });
  return model;
}

/** Per pixel: distance to the nearest background centre; transparent pixels are at distance 0. */
function backgroundDistance(image: RgbaImage, lab: Float32Array, model: Float64Array): Float32Array {
  const n = image.width * image.height;
  const centres = model.length / 3;
  const distance = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if ((image.data[i * 4 + 3] ?? 0) < 128) continue;
    distance[i] = Math.sqrt(squaredDistance(lab, i, model, nearestCentre(lab, i, model, centres)));
  }
  return distance;
}

/**
 * Separates subject from background in a small RGBA image and returns a soft mask of the same
 * size (one byte per pixel, 255 = subject). See ./README.md for the steps and their limits.
 *
 * @param image - interleaved RGBA pixels; pixels with alpha < 128 count as background.
 * @param params - overrides of {@link DEFAULT_SEGMENTATION}.
 * @returns the feathered mask, `width * height` bytes.
 * @example
 * const mask = segmentSubject({ data, width: 256, height: 171 });
 */
export function segmentSubject(image: RgbaImage, params: Partial<SegmentationParameters> = {}): Uint8Array {
  const p: SegmentationParameters = { ...DEFAULT_SEGMENTATION, ...params };
  const { width, height } = image;
  const n = width * height;
  const fg = new Uint8Array(n);
  const lab = toLab(image, p.lightnessWeight);
  const samples = borderSamples(image, p.borderFraction);
  if (samples.length === 0) {
    // A fully transparent border: alpha itself is the only evidence of a subject.
    for (let i = 0; i < n; i++) fg[i] = (image.data[i * 4 + 3] ?? 0) >= 128 ? 1 : 0;
  } else {
    const distance = smooth3x3(
      backgroundDistance(image, lab, backgroundModel(lab, width, height, samples, p)),
      width,
      height,
    );
    const threshold = Math.max(p.minThreshold, otsuThreshold(distance));
    for (let i = 0; i < n; i++) fg[i] = (distance[i] ?? 0) > threshold ? 1 : 0;
  }
  const queue = new Int32Array(n);
  keepLargeComponents(fg, width, height, Math.max(4, p.minComponentShare * n), queue);
  const scratch = new Uint8Array(n);
  morph(fg, scratch, width, height, p.closingRadius, true);
  morph(fg, scratch, width, height, p.closingRadius, false);
  fillHoles(fg, width, height, queue);
  // Plain loops: TypedArray.from with a map function is an order of magnitude slower here.
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (fg[i] ?? 0) * 255;
  const b = new Float32Array(n);
  const tmp = new Float32Array(n);
  boxBlur(a, b, tmp, width, height, p.featherRadius);
  boxBlur(b, a, tmp, width, height, p.featherRadius);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = Math.round(a[i] ?? 0);
  return mask;
}
