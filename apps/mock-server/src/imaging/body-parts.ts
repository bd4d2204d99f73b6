import { encodeImage } from "./encode.js";
import { type LabelledMask, type MaskingOptions, readMask, readMaskingImage } from "./mask-objects.js";
import { boundingBox } from "./raster.js";

/** Options of {@link maskBodyParts}. */
export interface BodyPartsOptions extends MaskingOptions {
  /** Left/right labels for the bilateral parts (Adobe's `useGranularLabels`). Default false. */
  granular?: boolean;
}

/**
 * The proportional body model, in fractions of the person's bounding box (u across, v down),
 * read top to bottom; the first band whose `v` range holds a pixel decides, then the columns.
 * Sides are the person's own: facing the camera, their right is the image's left.
 */
type Side = "Left" | "Right";
type Part = { label: string; side?: Side };

function partAt(u: number, v: number): Part {
  const side: Side = u < 0.5 ? "Right" : "Left";
  const centre = Math.abs(u - 0.5);
  if (v < 0.045) return { label: "Hair" };
  if (v < 0.13) return centre < 0.16 ? { label: "Face" } : { label: "Hair" };
  if (v < 0.16) return centre < 0.12 ? { label: "Neck" } : { label: "Upper Clothes" };
  if (v < 0.52) {
    if (centre < 0.25) return { label: "Upper Clothes" };
    return v < 0.4 ? { label: "Arm", side } : { label: "Hand", side };
  }
  if (v < 0.75) return { label: "Lower Clothes" };
  if (v < 0.95) return { label: "Leg", side };
  return { label: "Shoe", side };
}

/** Label order of the result (Adobe's order is not fixed either: match masks on `label`). */
const ORDER = [
  "Background",
  "Hair",
  "Face",
  "Neck",
  "Upper Clothes",
  "Arm",
  "Hand",
  "Lower Clothes",
  "Leg",
  "Shoe",
];

/**
 * Splits a person into body parts: a documented deterministic approximation, not a body-part
 * model. The caller's subject mask (≥ 128 = person) gives the person's bounding box; a fixed
 * proportional layout of that box (see `partAt`: hair, face, neck, upper clothes, arms, hands,
 * lower clothes, legs, shoes, for a standing person facing the camera) assigns each person pixel
 * one part, and each part's mask is the subject mask restricted to it. `Background` is the
 * inverse of the subject mask. With `granular`, arms, hands, legs and shoes are split into
 * `Left …`/`Right …` (the person's sides); without, they are `Arm`, `Hand`, `Leg`, `Shoe`. The
 * score is the part's mean mask value, 0–1. Parts with no pixel are left out.
 *
 * @param image - JPEG or PNG, at most 4000 px a side.
 * @param mask - the person's subject mask (PNG or JPEG; stretched to the image's size).
 * @throws ImageDecodeError when an input is unreadable, of another format, or too large.
 * @example
 * const parts = await maskBodyParts(photo, subjectMask, { granular: true });
 * @see `@psapi/openapi` photoshop-current.yaml, operation `maskBodyParts`
 */
export async function maskBodyParts(
  image: Uint8Array,
  mask: Uint8Array,
  options: BodyPartsOptions = {},
): Promise<LabelledMask[]> {
  const decoded = await readMaskingImage(image, options);
  const { width, height } = decoded.info;
  const subject = await readMask(mask, width, height, decoded.limits);
  const n = width * height;
  const labelsOf = new Map<string, number>();
  const names: string[] = [];
  const idOf = (name: string) => {
    let id = labelsOf.get(name);
    if (id === undefined) {
      id = names.length;
      names.push(name);
      labelsOf.set(name, id);
    }
    return id;
  };
  const assigned = new Int16Array(n).fill(-1);
  const person = boundingBox(subject, width, height, 127);
  if (person) {
    for (let y = person.y; y < person.y + person.height; y++) {
      const v = (y - person.y + 0.5) / person.height;
      for (let x = person.x; x < person.x + person.width; x++) {
        const i = y * width + x;
        if ((subject[i] ?? 0) === 0) continue;
        const part = partAt((x - person.x + 0.5) / person.width, v);
        const name = part.side && options.granular ? `${part.side} ${part.label}` : part.label;
        assigned[i] = idOf(name);
      }
    }
  }
  const result: LabelledMask[] = [];
  const background = new Uint8Array(n);
  for (let i = 0; i < n; i++) background[i] = 255 - (subject[i] ?? 0);
  const parts: { name: string; mask: Uint8Array }[] = [{ name: "Background", mask: background }];
  for (const [id, name] of names.entries()) {
    const part = new Uint8Array(n);
    for (let i = 0; i < n; i++) if (assigned[i] === id) part[i] = subject[i] ?? 0;
    parts.push({ name, mask: part });
  }
  const rank = (name: string) => ORDER.indexOf(name.replace(/^(Left|Right) /, ""));
  parts.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
  for (const { name, mask: part } of parts) {
    const box = boundingBox(part, width, height);
    if (!box) continue;
    let sum = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      if ((part[i] ?? 0) > 0) {
        sum += part[i] ?? 0;
        count++;
      }
    }
    const png = await encodeImage({ data: part, width, height, channels: 1 }, "image/png");
    result.push({
      label: name,
      score: Math.round((sum / count / 255) * 1000) / 1000,
      boundingBox: box,
      mask: png.bytes,
    });
  }
  return result;
}
