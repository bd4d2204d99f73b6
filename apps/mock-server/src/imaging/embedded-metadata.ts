/**
 * Small, bounds-checked readers for the metadata a manifest reports: the name of an ICC profile,
 * the creator tool in XMP, and image resources inside a PSD. Every reader returns undefined on
 * anything unexpected instead of throwing, since the metadata is optional in the manifest.
 */

const MAX_TEXT_LENGTH = 256;

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function clean(text: string): string | undefined {
  // Control characters (NULs padding ICC strings among them) never belong in a name.
  const trimmed = text
    .replace(/\p{Cc}/gu, "")
    .trim()
    .slice(0, MAX_TEXT_LENGTH);
  return trimmed === "" ? undefined : trimmed;
}

/**
 * The description (`desc` tag) of an ICC profile, e.g. `sRGB IEC61966-2.1`, from either the v2
 * `textDescriptionType` or the v4 `multiLocalizedUnicodeType` (first record).
 *
 * @see ICC.1:2010 §9.2.41 (profileDescriptionTag), §10.13 (mluc); ICC.1:2001-04 §6.5.17 (desc).
 */
export function iccProfileName(profile: Uint8Array | undefined): string | undefined {
  if (profile === undefined || profile.length < 132) return undefined;
  const data = view(profile);
  const tagCount = data.getUint32(128);
  for (let t = 0; t < tagCount && 132 + (t + 1) * 12 <= profile.length; t++) {
    const entry = 132 + t * 12;
    if (data.getUint32(entry) !== 0x64657363 /* "desc" */) continue;
    const offset = data.getUint32(entry + 4);
    const size = data.getUint32(entry + 8);
    if (offset + size > profile.length || size < 12) return undefined;
    const type = data.getUint32(offset);
    if (type === 0x64657363 /* "desc" */) {
      const count = data.getUint32(offset + 8);
      if (12 + count > size) return undefined;
      return clean(new TextDecoder("latin1").decode(profile.subarray(offset + 12, offset + 12 + count)));
    }
    if (type === 0x6d6c7563 /* "mluc" */ && size >= 28 && data.getUint32(offset + 8) > 0) {
      const length = data.getUint32(offset + 20);
      const start = offset + data.getUint32(offset + 24);
      if (start + length > offset + size) return undefined;
      return clean(new TextDecoder("utf-16be").decode(profile.subarray(start, start + length)));
    }
    return undefined;
  }
  return undefined;
}

const XML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/**
 * The Photoshop build that wrote a file, from XMP `xmp:CreatorTool` (element or attribute form),
 * only when it names Adobe Photoshop: other creator tools are not a `photoshopBuild`.
 */
export function photoshopBuildFromXmp(xmp: string | undefined): string | undefined {
  if (xmp === undefined) return undefined;
  const match = /<xmp:CreatorTool>([^<]*)<\/xmp:CreatorTool>|xmp:CreatorTool="([^"]*)"/.exec(xmp);
  const raw = match?.[1] ?? match?.[2];
  if (raw === undefined) return undefined;
  const text = clean(raw.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => XML_ENTITIES[name] ?? ""));
  return text?.startsWith("Adobe Photoshop") ? text : undefined;
}

/** PSD image resource id of the embedded ICC profile. */
export const PSD_ICC_PROFILE_RESOURCE = 1039;

/**
 * The data of one image resource of a PSD/PSB file, found by walking the file header, the colour
 * mode data and the image resource blocks (ag-psd does not expose the ICC profile).
 *
 * @see https://www.adobe.com/devnet-apps/photoshop/fileformatashtml/ ("File Header Section", "Image Resources Section")
 */
export function psdImageResource(file: Uint8Array, id: number): Uint8Array | undefined {
  const data = view(file);
  const headerEnd = 26;
  if (file.length < headerEnd + 8) return undefined;
  const colorModeLength = data.getUint32(headerEnd);
  let position = headerEnd + 4 + colorModeLength;
  if (position + 4 > file.length) return undefined;
  const resourcesEnd = position + 4 + data.getUint32(position);
  position += 4;
  if (resourcesEnd > file.length) return undefined;
  while (position + 12 <= resourcesEnd) {
    const resourceId = data.getUint16(position + 4);
    const nameLength = data.getUint8(position + 6);
    // The Pascal-string name (length byte included) is padded to an even size.
    const sizeAt = position + 6 + ((nameLength + 2) & ~1);
    if (sizeAt + 4 > resourcesEnd) return undefined;
    const size = data.getUint32(sizeAt);
    const start = sizeAt + 4;
    if (start + size > resourcesEnd) return undefined;
    if (resourceId === id) return file.subarray(start, start + size);
    position = start + size + (size & 1);
  }
  return undefined;
}
