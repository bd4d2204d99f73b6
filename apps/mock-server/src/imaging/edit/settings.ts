import type { components } from "@psapi/openapi-types/photoshop-current";
import { DocumentError, invalidValue, unsupported } from "../composite/errors.js";

type LightroomEdits = components["schemas"]["LightroomEdits"];

/** The numeric settings the emulator applies, named as in the request's categories. */
export type NumericSetting =
  | "exposure"
  | "contrast"
  | "highlights"
  | "shadows"
  | "whites"
  | "blacks"
  | "clarity"
  | "dehaze"
  | "texture"
  | "vignette"
  | "vibrance"
  | "saturation"
  | "temperature"
  | "tint"
  | "sharpness"
  | "sharpenRadius"
  | "sharpenDetail"
  | "sharpenEdgeMasking"
  | "luminanceNoise"
  | "colorNoise";

/**
 * Every setting of one edit after presets, XMP and the request were merged (later wins), with the
 * JSON pointer each value came from (for warnings and failures).
 */
export interface EditSettings {
  numbers: Partial<Record<NumericSetting, number>>;
  autoTone?: boolean;
  whiteBalance?: string;
  /** Where each setting was given: `/edits/light/exposure`, `/edits/xmp/source`, … */
  from: Partial<Record<NumericSetting | "autoTone" | "whiteBalance", string>>;
}

/** One numeric setting: its Camera Raw (`crs:`) name in XMP, its range and its neutral value. */
interface SettingSpec {
  xmp: string;
  min: number;
  max: number;
  neutral: number;
}

const SLIDER = { min: -100, max: 100, neutral: 0 } as const;
const AMOUNT = { min: 0, max: 100, neutral: 0 } as const;

/**
 * The settings the emulator can apply, by request name: the Camera Raw XMP name it reads in
 * presets and XMP files and writes in the `application/rdf+xml` output, and the request's range.
 * `temperature`/`tint` have no request field (Adobe's v2 edit has none): they come from XMP's
 * `IncrementalTemperature`/`IncrementalTint`, the white-balance sliders of non-raw images.
 */
export const SETTINGS: Readonly<Record<NumericSetting, SettingSpec>> = Object.freeze({
  exposure: { xmp: "Exposure2012", min: -5, max: 5, neutral: 0 },
  contrast: { xmp: "Contrast2012", ...SLIDER },
  highlights: { xmp: "Highlights2012", ...SLIDER },
  shadows: { xmp: "Shadows2012", ...SLIDER },
  whites: { xmp: "Whites2012", ...SLIDER },
  blacks: { xmp: "Blacks2012", ...SLIDER },
  clarity: { xmp: "Clarity2012", ...SLIDER },
  dehaze: { xmp: "Dehaze", ...SLIDER },
  texture: { xmp: "Texture", ...SLIDER },
  vignette: { xmp: "PostCropVignetteAmount", ...SLIDER },
  vibrance: { xmp: "Vibrance", ...SLIDER },
  saturation: { xmp: "Saturation", ...SLIDER },
  temperature: { xmp: "IncrementalTemperature", ...SLIDER },
  tint: { xmp: "IncrementalTint", ...SLIDER },
  sharpness: { xmp: "Sharpness", min: 0, max: 150, neutral: 0 },
  sharpenRadius: { xmp: "SharpenRadius", min: 0.5, max: 3, neutral: 1 },
  sharpenDetail: { xmp: "SharpenDetail", ...AMOUNT, neutral: 25 },
  sharpenEdgeMasking: { xmp: "SharpenEdgeMasking", ...AMOUNT },
  luminanceNoise: { xmp: "LuminanceSmoothing", ...AMOUNT },
  colorNoise: { xmp: "ColorNoiseReduction", ...AMOUNT },
});

/** White-balance values the emulator can honour on a developed (non-raw) image. */
export const WHITE_BALANCES = new Set(["As Shot", "Auto", "Custom"]);

/**
 * `crs:` properties that describe a file or a preset rather than change pixels: read and ignored.
 * Any other property the table above does not name must hold a neutral value, else the job fails.
 */
const DESCRIPTIVE = new Set([
  "Version",
  "ProcessVersion",
  "CompatibleVersion",
  "HasSettings",
  "HasCrop",
  "AlreadyApplied",
  "RawFileName",
  "PresetType",
  "UUID",
  "Name",
  "ShortName",
  "SortName",
  "Group",
  "Cluster",
  "Copyright",
  "ContactInfo",
  "Description",
  "SupportsAmount",
  "SupportsAmount2",
  "SupportsColor",
  "SupportsMonochrome",
  "SupportsHighDynamicRange",
  "SupportsNormalDynamicRange",
  "SupportsSceneReferred",
  "SupportsOutputReferred",
  "CameraModelRestriction",
  "CameraProfile",
  "CameraProfileDigest",
  "LookTable",
  "Look",
  "ToneCurveName",
  "ToneCurveName2012",
  "ToneCurve",
  "ToneCurvePV2012",
  "ToneCurvePV2012Red",
  "ToneCurvePV2012Green",
  "ToneCurvePV2012Blue",
  "OverrideLookVignette",
  "Presets",
]);

/** Tone-curve properties: ignored only when the curve is the identity (every point `x, x`). */
const TONE_CURVES = /^ToneCurve(PV2012(Red|Green|Blue)?)?$/;

/** The request's categories → the settings they carry, with the JSON path of each. */
const REQUEST_FIELDS: readonly (readonly [category: string, field: string, setting: NumericSetting])[] = [
  ["light", "exposure", "exposure"],
  ["light", "contrast", "contrast"],
  ["light", "highlights", "highlights"],
  ["light", "shadows", "shadows"],
  ["light", "whites", "whites"],
  ["light", "blacks", "blacks"],
  ["color", "saturation", "saturation"],
  ["color", "vibrance", "vibrance"],
  ["effects", "clarity", "clarity"],
  ["effects", "dehaze", "dehaze"],
  ["effects", "texture", "texture"],
  ["effects", "vignette", "vignette"],
  ["sharpen", "detail", "sharpenDetail"],
  ["sharpen", "edgeMasking", "sharpenEdgeMasking"],
  ["sharpen", "radius", "sharpenRadius"],
  ["noiseReduction", "luminance", "luminanceNoise"],
  ["noiseReduction", "color", "colorNoise"],
];

/** An empty set of settings. */
export function noSettings(): EditSettings {
  return { numbers: {}, from: {} };
}

/** Lays the request's `edits` (at `base`, `/edits` or `` for the top-level form) over `settings`. */
export function applyRequestEdits(settings: EditSettings, edits: LightroomEdits, base: string): void {
  const categories = edits as Record<string, Record<string, unknown> | undefined>;
  for (const [category, field, setting] of REQUEST_FIELDS) {
    const value = categories[category]?.[field];
    if (typeof value !== "number") continue;
    settings.numbers[setting] = value;
    settings.from[setting] = `${base}/${category}/${field}`;
  }
  if (edits.sharpness !== undefined) {
    settings.numbers.sharpness = edits.sharpness;
    settings.from.sharpness = `${base}/sharpness`;
  } else if (edits.sharpen && settings.numbers.sharpness === undefined) {
    // Lightroom's default amount (40) when the request tunes sharpening but gives no amount.
    settings.numbers.sharpness = 40;
    settings.from.sharpness = `${base}/sharpen`;
  }
  if (edits.autoTone !== undefined) {
    settings.autoTone = edits.autoTone;
    settings.from.autoTone = `${base}/autoTone`;
  }
  if (edits.color?.whiteBalance !== undefined) {
    settings.whiteBalance = edits.color.whiteBalance;
    settings.from.whiteBalance = `${base}/color/whiteBalance`;
  }
}

/** `+0.50` → 0.5; undefined when the text is not a plain number. */
function numberOf(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(trimmed)) return undefined;
  return Number(trimmed);
}

/** Whether a value that the emulator does not apply is neutral (changes nothing). */
function isNeutral(value: string): boolean {
  const trimmed = value.trim();
  const n = numberOf(trimmed);
  if (n !== undefined) return n === 0;
  return trimmed === "" || /^false$/i.test(trimmed);
}

/** Whether a tone curve (`<rdf:Seq><rdf:li>x, y</rdf:li>…`) is the identity. */
function isIdentityCurve(value: string): boolean {
  const points = [...value.matchAll(/<rdf:li>\s*(\d+)\s*,\s*(\d+)\s*<\/rdf:li>/g)];
  if (points.length === 0) return value.trim() === "";
  return points.every((point) => point[1] === point[2]);
}

/** Largest XMP file read: presets and sidecars are a few KiB. */
const XMP_BYTES_LIMIT = 512 * 1024;

/**
 * The `crs:` properties of an XMP packet (a Lightroom preset or a sidecar): attributes
 * (`crs:Exposure2012="+0.50"`) and elements (`<crs:Exposure2012>0.5</crs:Exposure2012>`, nested
 * content kept as text). Undefined when the bytes are not an XMP packet with Camera Raw settings.
 */
export function readXmpProperties(bytes: Uint8Array): Map<string, string> | undefined {
  if (bytes.length === 0 || bytes.length > XMP_BYTES_LIMIT) return undefined;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  if (
    !/<x:xmpmeta[\s>]|<rdf:RDF[\s>]/.test(text) ||
    !text.includes("http://ns.adobe.com/camera-raw-settings/1.0/")
  )
    return undefined;
  const properties = new Map<string, string>();
  for (const match of text.matchAll(/\scrs:([A-Za-z0-9]+)\s*=\s*"([^"]*)"/g)) {
    properties.set(match[1] as string, match[2] as string);
  }
  // Elements in one linear pass over the tags (a lazy regex with a back-reference is quadratic
  // on a file of unclosed openers): an opener waits for its closer; the text between is the value.
  const open: { name: string; start: number }[] = [];
  for (const match of text.matchAll(/<(\/?)crs:([A-Za-z0-9]+)>/g)) {
    const name = match[2] as string;
    if (match[1] === "") open.push({ name, start: match.index + match[0].length });
    else if (open.at(-1)?.name === name) {
      const opener = open.pop() as { name: string; start: number };
      properties.set(name, text.slice(opener.start, match.index));
    }
  }
  return properties;
}

const BY_XMP_NAME = new Map(
  (Object.entries(SETTINGS) as [NumericSetting, SettingSpec][]).map(([name, spec]) => [spec.xmp, name]),
);

/**
 * Lays the settings of one XMP file (a preset or `xmp.source`) over `settings`. A file that is
 * not an XMP packet of Camera Raw settings fails with `emulator_input_unreadable`; a property the
 * emulator cannot apply, holding anything but a neutral value, with `emulator_unsupported`
 * naming it; a value out of Lightroom's range with `400401`.
 *
 * @param pointer - the JSON pointer of the file's `source`, e.g. `/edits/presets/0/source`.
 */
export function applyXmpFile(settings: EditSettings, bytes: Uint8Array, pointer: string): void {
  const properties = readXmpProperties(bytes);
  if (!properties) {
    throw new DocumentError(
      "emulator_input_unreadable",
      pointer,
      `the file at ${pointer} is not an XMP packet of Camera Raw (crs:) settings`,
    );
  }
  for (const [name, value] of properties) {
    const setting = BY_XMP_NAME.get(name);
    if (setting) {
      const spec = SETTINGS[setting];
      const n = numberOf(value);
      if (n === undefined || n < spec.min || n > spec.max) {
        throw invalidValue(pointer, `crs:${name} must be a number from ${spec.min} to ${spec.max}`);
      }
      settings.numbers[setting] = n;
      settings.from[setting] = pointer;
    } else if (name === "AutoTone") {
      settings.autoTone = /^true$/i.test(value.trim());
      settings.from.autoTone = pointer;
    } else if (name === "WhiteBalance") {
      settings.whiteBalance = value.trim();
      settings.from.whiteBalance = pointer;
    } else if (TONE_CURVES.test(name)) {
      if (!isIdentityCurve(value)) throw unsupported(pointer, `the XMP tone curve crs:${name}`);
    } else if (!DESCRIPTIVE.has(name) && !isNeutral(value)) {
      throw unsupported(pointer, `the XMP setting crs:${name}`);
    }
  }
}

const escapeXml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * The settings an edit applied, as an XMP packet of Camera Raw properties (what the
 * `application/rdf+xml` output holds): every setting that was given, by its `crs:` name. The
 * emulator reads this packet back as `xmp.source` or a preset.
 */
export function writeXmp(settings: EditSettings): string {
  const attributes: string[] = ['crs:Version="psapi-emulator"', 'crs:ProcessVersion="11.0"'];
  if (settings.whiteBalance !== undefined)
    attributes.push(`crs:WhiteBalance="${escapeXml(settings.whiteBalance)}"`);
  for (const [name, spec] of Object.entries(SETTINGS) as [NumericSetting, SettingSpec][]) {
    const value = settings.numbers[name];
    if (value === undefined) continue;
    attributes.push(`crs:${spec.xmp}="${value > 0 && spec.min < 0 ? "+" : ""}${value}"`);
  }
  if (settings.autoTone !== undefined)
    attributes.push(`crs:AutoTone="${settings.autoTone ? "True" : "False"}"`);
  attributes.push('crs:HasSettings="True"');
  return [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '  <rdf:Description rdf:about=""',
    '    xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/"',
    `    ${attributes.join("\n    ")}/>`,
    " </rdf:RDF>",
    "</x:xmpmeta>",
    '<?xpacket end="w"?>',
    "",
  ].join("\n");
}
