/**
 * The PostScript name (name table, name id 6) of a TrueType or OpenType font file, or undefined
 * when the bytes are no font or have none. Enough to tell which `postScriptName` a file given in
 * `fontOptions.additionalFonts` provides, without a font library.
 *
 * @see https://learn.microsoft.com/en-us/typography/opentype/spec/name
 */
export function postScriptName(bytes: Uint8Array): string | undefined {
  if (bytes.length < 12) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(0);
  // 0x00010000 TrueType, 'OTTO' CFF OpenType, 'true' (old Apple TrueType).
  if (version !== 0x00010000 && version !== 0x4f54544f && version !== 0x74727565) return undefined;
  const tables = view.getUint16(4);
  for (let i = 0; i < tables; i++) {
    const record = 12 + i * 16;
    if (record + 16 > bytes.length) return undefined;
    if (view.getUint32(record) !== 0x6e616d65) continue; // 'name'
    const start = view.getUint32(record + 8);
    if (start + 6 > bytes.length) return undefined;
    const count = view.getUint16(start + 2);
    const strings = start + view.getUint16(start + 4);
    for (let n = 0; n < count; n++) {
      const entry = start + 6 + n * 12;
      if (entry + 12 > bytes.length) return undefined;
      if (view.getUint16(entry + 6) !== 6) continue;
      const platform = view.getUint16(entry);
      const length = view.getUint16(entry + 8);
      const offset = strings + view.getUint16(entry + 10);
      if (offset + length > bytes.length) return undefined;
      const raw = bytes.subarray(offset, offset + length);
      // Windows (3) and Unicode (0) names are UTF-16BE; Macintosh (1) names are single-byte.
      if (platform === 1) return String.fromCharCode(...raw);
      let name = "";
      for (let c = 0; c + 1 < raw.length; c += 2)
        name += String.fromCharCode(((raw[c] ?? 0) << 8) | (raw[c + 1] ?? 0));
      return name;
    }
  }
  return undefined;
}
