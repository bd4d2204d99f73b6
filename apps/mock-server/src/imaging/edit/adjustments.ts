import { boxBlur } from "../filters.js";
import type { EditSettings, NumericSetting } from "./settings.js";

/**
 * An image being edited: sRGB-encoded values in [0, 1], three interleaved channels (alpha, when
 * the input had one, is carried beside it untouched).
 */
export interface EditImage {
  rgb: Float32Array;
  width: number;
  height: number;
}

/** One adjustment of the table: what it reads, and how it changes the pixels. */
export interface Adjustment {
  /** The setting (or settings) it applies, as the request names them. */
  readonly name: string;
  /** The emulator's approximation, in one line (the README's table and the status's warnings). */
  readonly approximation: string;
  /** Whether the settings ask for it. */
  readonly applies: (settings: EditSettings) => boolean;
  /** Where it was asked for (the JSON pointer a warning names). */
  readonly from: (settings: EditSettings) => string | undefined;
  readonly apply: (image: EditImage, settings: EditSettings) => void;
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
const smoothstep = (edge0: number, edge1: number, x: number) => {
  const t = clamp01((x - edge0) / (edge1 - edge0));
  return t * t * (3 - 2 * t);
};
/** Rec. 709 luma of sRGB-encoded values: the "brightness" every adjustment below works on. */
const lumaAt = (rgb: Float32Array, i: number) =>
  0.2126 * (rgb[i] ?? 0) + 0.7152 * (rgb[i + 1] ?? 0) + 0.0722 * (rgb[i + 2] ?? 0);
const toLinear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const toSrgb = (c: number) => (c <= 0.0031308 ? c * 12.92 : 1.055 * c ** (1 / 2.4) - 0.055);

/** The luma plane of an image. */
function lumaPlane(image: EditImage): Float32Array {
  const n = image.width * image.height;
  const out = new Float32Array(n);
  for (let p = 0; p < n; p++) out[p] = lumaAt(image.rgb, p * 3);
  return out;
}

/** A Gaussian blur of σ ≈ `sigma` px as three box blurs (variance r(r + 1) each pass pair). */
function blurPlane(plane: Float32Array, width: number, height: number, sigma: number): Float32Array {
  const r = Math.max(1, Math.round(Math.sqrt(sigma * sigma + 0.25) - 0.5));
  const a = Float32Array.from(plane);
  const b = new Float32Array(plane.length);
  const tmp = new Float32Array(plane.length);
  boxBlur(a, b, tmp, width, height, r);
  boxBlur(b, a, tmp, width, height, r);
  boxBlur(a, b, tmp, width, height, r);
  return b;
}

/** Adds `delta(p, luma)` to the three channels of every pixel (a luminance change that keeps hue). */
function addToLuma(image: EditImage, delta: (p: number, luma: number) => number): void {
  const { rgb } = image;
  const n = image.width * image.height;
  for (let p = 0; p < n; p++) {
    const i = p * 3;
    const d = delta(p, lumaAt(rgb, i));
    if (d === 0) continue;
    for (let c = 0; c < 3; c++) rgb[i + c] = clamp01((rgb[i + c] ?? 0) + d);
  }
}

/** Scales every pixel's distance from its own grey (luma) by `factor(p, luma, chroma)`. */
function scaleChroma(image: EditImage, factor: (luma: number, chroma: number) => number): void {
  const { rgb } = image;
  const n = image.width * image.height;
  for (let p = 0; p < n; p++) {
    const i = p * 3;
    const r = rgb[i] ?? 0;
    const g = rgb[i + 1] ?? 0;
    const b = rgb[i + 2] ?? 0;
    const l = lumaAt(rgb, i);
    const f = factor(l, Math.max(r, g, b) - Math.min(r, g, b));
    rgb[i] = clamp01(l + (r - l) * f);
    rgb[i + 1] = clamp01(l + (g - l) * f);
    rgb[i + 2] = clamp01(l + (b - l) * f);
  }
}

/** Multiplies each channel by its gain. */
function gains(image: EditImage, red: number, green: number, blue: number): void {
  const { rgb } = image;
  for (let i = 0; i < rgb.length; i += 3) {
    rgb[i] = clamp01((rgb[i] ?? 0) * red);
    rgb[i + 1] = clamp01((rgb[i + 1] ?? 0) * green);
    rgb[i + 2] = clamp01((rgb[i + 2] ?? 0) * blue);
  }
}

/** The `q`-quantile of a plane's values (0-1), from a 1024-bin histogram. */
function quantile(plane: Float32Array, q: number): number {
  const bins = new Uint32Array(1024);
  for (const v of plane) {
    const k = Math.min(1023, Math.max(0, Math.floor(v * 1024)));
    bins[k] = (bins[k] ?? 0) + 1;
  }
  const target = q * plane.length;
  let seen = 0;
  for (let k = 0; k < 1024; k++) {
    seen += bins[k] ?? 0;
    if (seen >= target) return (k + 0.5) / 1024;
  }
  return 1;
}

/** A local-contrast boost on luma: `amount × (luma − blurred luma) × weight(luma)`. */
function localContrast(image: EditImage, sigma: number, amount: number, weight: (luma: number) => number) {
  const luma = lumaPlane(image);
  const blurred = blurPlane(luma, image.width, image.height, sigma);
  addToLuma(image, (p, l) => amount * (l - (blurred[p] ?? 0)) * weight(l));
}

const num = (settings: EditSettings, name: NumericSetting) => settings.numbers[name] ?? 0;
const given = (name: NumericSetting) => (settings: EditSettings) => num(settings, name) !== 0;
const source = (name: NumericSetting) => (settings: EditSettings) => settings.from[name];

/**
 * The adjustments, in the order they run (Lightroom's panel order: white balance, tone,
 * presence, detail, effects). One row per adjustment: the one place that says what the emulator
 * does for each setting; the README lists the same table. Every row is an approximation of
 * Lightroom's own processing, chosen so that its direction and size are right and testable.
 */
export const ADJUSTMENTS: readonly Adjustment[] = Object.freeze([
  {
    name: "color.whiteBalance",
    approximation:
      "`Auto`: grey-world balance (each channel's mean scaled to the mean of the three, gains 0.5-2); `As Shot` and `Custom`: unchanged",
    applies: (s) => s.whiteBalance === "Auto",
    from: (s) => s.from.whiteBalance,
    apply(image) {
      let red = 0;
      let green = 0;
      let blue = 0;
      const { rgb } = image;
      for (let i = 0; i < rgb.length; i += 3) {
        red += rgb[i] ?? 0;
        green += rgb[i + 1] ?? 0;
        blue += rgb[i + 2] ?? 0;
      }
      const grey = (red + green + blue) / 3;
      const gain = (m: number) => (m > 0 ? Math.min(2, Math.max(0.5, grey / m)) : 1);
      gains(image, gain(red), gain(green), gain(blue));
    },
  },
  {
    name: "temperature, tint (XMP IncrementalTemperature, IncrementalTint)",
    approximation:
      "channel gains: red × (1 + 0.2 t/100), blue × (1 − 0.2 t/100); green × (1 − 0.2 tint/100) (positive tint = magenta)",
    applies: (s) => num(s, "temperature") !== 0 || num(s, "tint") !== 0,
    from: (s) => s.from.temperature ?? s.from.tint,
    apply(image, s) {
      const t = num(s, "temperature") / 100;
      gains(image, 1 + 0.2 * t, 1 - (0.2 * num(s, "tint")) / 100, 1 - 0.2 * t);
    },
  },
  {
    name: "autoTone",
    approximation: "levels stretch: the 0.5 % and 99.5 % luma quantiles are mapped to black and white",
    applies: (s) => s.autoTone === true,
    from: (s) => s.from.autoTone,
    apply(image) {
      const luma = lumaPlane(image);
      const low = quantile(luma, 0.005);
      const high = quantile(luma, 0.995);
      if (high - low < 1 / 255) return;
      const { rgb } = image;
      for (let i = 0; i < rgb.length; i++) rgb[i] = clamp01(((rgb[i] ?? 0) - low) / (high - low));
    },
  },
  {
    name: "light.exposure",
    approximation: "linear-light gain of 2^exposure (sRGB decoded, scaled, re-encoded, clipped)",
    applies: given("exposure"),
    from: source("exposure"),
    apply(image, s) {
      const gain = 2 ** num(s, "exposure");
      const { rgb } = image;
      for (let i = 0; i < rgb.length; i++)
        rgb[i] = clamp01(toSrgb(Math.min(1, toLinear(rgb[i] ?? 0) * gain)));
    },
  },
  {
    name: "light.contrast",
    approximation: "linear stretch about mid-grey: v → 0.5 + (v − 0.5)(1 + contrast/100)",
    applies: given("contrast"),
    from: source("contrast"),
    apply(image, s) {
      const k = 1 + num(s, "contrast") / 100;
      const { rgb } = image;
      for (let i = 0; i < rgb.length; i++) rgb[i] = clamp01(0.5 + ((rgb[i] ?? 0) - 0.5) * k);
    },
  },
  {
    name: "light.highlights",
    approximation:
      "adds 0.25 × highlights/100 to the luma of bright pixels, weighted smoothstep(0.5, 1, luma)",
    applies: given("highlights"),
    from: source("highlights"),
    apply(image, s) {
      const k = (0.25 * num(s, "highlights")) / 100;
      addToLuma(image, (_, l) => k * smoothstep(0.5, 1, l));
    },
  },
  {
    name: "light.shadows",
    approximation:
      "adds 0.25 × shadows/100 to the luma of dark pixels, weighted 1 − smoothstep(0, 0.5, luma)",
    applies: given("shadows"),
    from: source("shadows"),
    apply(image, s) {
      const k = (0.25 * num(s, "shadows")) / 100;
      addToLuma(image, (_, l) => k * (1 - smoothstep(0, 0.5, l)));
    },
  },
  {
    name: "light.whites",
    approximation:
      "adds 0.15 × whites/100 to the luma of the brightest pixels, weighted smoothstep(0.7, 1, luma)",
    applies: given("whites"),
    from: source("whites"),
    apply(image, s) {
      const k = (0.15 * num(s, "whites")) / 100;
      addToLuma(image, (_, l) => k * smoothstep(0.7, 1, l));
    },
  },
  {
    name: "light.blacks",
    approximation:
      "adds 0.15 × blacks/100 to the luma of the darkest pixels, weighted 1 − smoothstep(0, 0.3, luma)",
    applies: given("blacks"),
    from: source("blacks"),
    apply(image, s) {
      const k = (0.15 * num(s, "blacks")) / 100;
      addToLuma(image, (_, l) => k * (1 - smoothstep(0, 0.3, l)));
    },
  },
  {
    name: "effects.clarity",
    approximation:
      "midtone local contrast: luma + 0.8 × clarity/100 × (luma − luma blurred at σ = shorter side/40) × (1 − abs(2 luma − 1))",
    applies: given("clarity"),
    from: source("clarity"),
    apply(image, s) {
      const sigma = Math.max(2, Math.min(image.width, image.height) / 40);
      localContrast(image, sigma, (0.8 * num(s, "clarity")) / 100, (l) => 1 - Math.abs(2 * l - 1));
    },
  },
  {
    name: "effects.texture",
    approximation: "fine local contrast: luma + 0.6 × texture/100 × (luma − luma blurred at σ = 2 px)",
    applies: given("texture"),
    from: source("texture"),
    apply(image, s) {
      localContrast(image, 2, (0.6 * num(s, "texture")) / 100, () => 1);
    },
  },
  {
    name: "effects.dehaze",
    approximation:
      "veil A = mean of each pixel's darkest channel (≤ 0.5); positive: v → (v − kA)/(1 − kA), k = 0.6 × dehaze/100; negative: blend towards 0.85 grey by −k",
    applies: given("dehaze"),
    from: source("dehaze"),
    apply(image, s) {
      const k = (0.6 * num(s, "dehaze")) / 100;
      const { rgb } = image;
      if (k < 0) {
        for (let i = 0; i < rgb.length; i++) rgb[i] = clamp01((rgb[i] ?? 0) * (1 + k) - k * 0.85);
        return;
      }
      let veil = 0;
      for (let i = 0; i < rgb.length; i += 3) veil += Math.min(rgb[i] ?? 0, rgb[i + 1] ?? 0, rgb[i + 2] ?? 0);
      const a = Math.min(0.5, veil / Math.max(1, rgb.length / 3)) * k;
      for (let i = 0; i < rgb.length; i++) rgb[i] = clamp01(((rgb[i] ?? 0) - a) / (1 - a));
    },
  },
  {
    name: "color.vibrance",
    approximation: "chroma scaled by 1 + vibrance/100 × (1 − chroma): weak colours move most",
    applies: given("vibrance"),
    from: source("vibrance"),
    apply(image, s) {
      const k = num(s, "vibrance") / 100;
      scaleChroma(image, (_, chroma) => Math.max(0, 1 + k * (1 - chroma)));
    },
  },
  {
    name: "color.saturation",
    approximation: "chroma (distance from the pixel's luma) scaled by 1 + saturation/100; −100 is grey",
    applies: given("saturation"),
    from: source("saturation"),
    apply(image, s) {
      const k = 1 + num(s, "saturation") / 100;
      scaleChroma(image, () => k);
    },
  },
  {
    name: "noiseReduction.luminance, noiseReduction.color",
    approximation:
      "luminance: luma blended towards luma blurred at σ = 0.5 + 1.5 × l/100 by l/100; color: chroma blended towards chroma blurred at σ = 0.5 + 2.5 × c/100 by c/100",
    applies: (s) => num(s, "luminanceNoise") !== 0 || num(s, "colorNoise") !== 0,
    from: (s) => s.from.luminanceNoise ?? s.from.colorNoise,
    apply(image, s) {
      const { width, height, rgb } = image;
      const n = width * height;
      const l = num(s, "luminanceNoise") / 100;
      if (l > 0) {
        const luma = lumaPlane(image);
        const blurred = blurPlane(luma, width, height, 0.5 + 1.5 * l);
        addToLuma(image, (p, y) => ((blurred[p] ?? 0) - y) * l);
      }
      const c = num(s, "colorNoise") / 100;
      if (c > 0) {
        const luma = lumaPlane(image);
        for (let ch = 0; ch < 3; ch++) {
          const chroma = new Float32Array(n);
          for (let p = 0; p < n; p++) chroma[p] = (rgb[p * 3 + ch] ?? 0) - (luma[p] ?? 0);
          const blurred = blurPlane(chroma, width, height, 0.5 + 2.5 * c);
          for (let p = 0; p < n; p++) {
            const smooth = (chroma[p] ?? 0) + ((blurred[p] ?? 0) - (chroma[p] ?? 0)) * c;
            rgb[p * 3 + ch] = clamp01((luma[p] ?? 0) + smooth);
          }
        }
      }
    },
  },
  {
    name: "sharpness, sharpen.radius, sharpen.detail, sharpen.edgeMasking",
    approximation:
      "unsharp mask on luma: + sharpness/100 × (0.5 + detail/100) × (luma − luma blurred at σ = radius), masked where the edge strength is below edgeMasking/100 (sharpness defaults to 40 when only sharpen is given)",
    applies: given("sharpness"),
    from: source("sharpness"),
    apply(image, s) {
      const amount = (num(s, "sharpness") / 100) * (0.5 + (s.numbers.sharpenDetail ?? 25) / 100);
      const radius = s.numbers.sharpenRadius ?? 1;
      const masking = num(s, "sharpenEdgeMasking") / 100;
      const luma = lumaPlane(image);
      const blurred = blurPlane(luma, image.width, image.height, radius);
      addToLuma(image, (p, l) => {
        const detail = l - (blurred[p] ?? 0);
        const weight =
          masking === 0 ? 1 : smoothstep(masking / 2, masking, Math.min(1, Math.abs(detail) * 8));
        return amount * detail * weight;
      });
    },
  },
  {
    name: "effects.vignette",
    approximation:
      "brightness × (1 + 0.6 × vignette/100 × r²), r = distance from the centre, 1 at the corners (negative darkens the corners)",
    applies: given("vignette"),
    from: source("vignette"),
    apply(image, s) {
      const k = (0.6 * num(s, "vignette")) / 100;
      const { width, height, rgb } = image;
      const cx = (width - 1) / 2 || 1;
      const cy = (height - 1) / 2 || 1;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const r2 = (((x - cx) / cx) ** 2 + ((y - cy) / cy) ** 2) / 2;
          const f = 1 + k * r2;
          const i = (y * width + x) * 3;
          for (let c = 0; c < 3; c++) rgb[i + c] = clamp01((rgb[i + c] ?? 0) * f);
        }
      }
    },
  },
]);

/**
 * Applies every adjustment the settings ask for, in table order.
 *
 * @returns one warning per adjustment applied, naming where it was asked for and how it was approximated.
 */
export function applyAdjustments(image: EditImage, settings: EditSettings): string[] {
  const warnings: string[] = [];
  for (const adjustment of ADJUSTMENTS) {
    if (!adjustment.applies(settings)) continue;
    adjustment.apply(image, settings);
    warnings.push(
      `${adjustment.from(settings) ?? adjustment.name}: approximated (${adjustment.approximation.replace(/`/g, "")})`,
    );
  }
  return warnings;
}
