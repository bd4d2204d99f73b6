import { writePsdUint8Array } from "ag-psd";
import { describe, expect, it } from "vitest";
import { iccProfileName, photoshopBuildFromXmp, psdImageResource } from "./embedded-metadata.js";

/** A minimal ICC profile: a 128-byte header, one `desc` tag, and the tag's data. */
function iccWithDesc(tagData: Uint8Array): Uint8Array {
  const profile = new Uint8Array(144 + tagData.length);
  const view = new DataView(profile.buffer);
  view.setUint32(0, profile.length);
  view.setUint32(128, 1); // tag count
  view.setUint32(132, 0x64657363); // "desc"
  view.setUint32(136, 144); // offset
  view.setUint32(140, tagData.length);
  profile.set(tagData, 144);
  return profile;
}

function mluc(text: string): Uint8Array {
  const utf16 = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) new DataView(utf16.buffer).setUint16(i * 2, text.charCodeAt(i));
  const tag = new Uint8Array(28 + utf16.length);
  const view = new DataView(tag.buffer);
  view.setUint32(0, 0x6d6c7563); // "mluc"
  view.setUint32(8, 1); // one record
  view.setUint32(12, 12); // record size
  view.setUint16(16, 0x656e); // "en"
  view.setUint16(18, 0x5553); // "US"
  view.setUint32(20, utf16.length);
  view.setUint32(24, 28); // offset from the tag's start
  tag.set(utf16, 28);
  return tag;
}

function textDescription(text: string): Uint8Array {
  const tag = new Uint8Array(12 + text.length + 1);
  const view = new DataView(tag.buffer);
  view.setUint32(0, 0x64657363); // "desc"
  view.setUint32(8, text.length + 1); // count includes the NUL
  for (let i = 0; i < text.length; i++) tag[12 + i] = text.charCodeAt(i);
  return tag;
}

describe("iccProfileName", () => {
  it("reads a v4 multi-localised description", () => {
    expect(iccProfileName(iccWithDesc(mluc("Display P3")))).toBe("Display P3");
  });

  it("reads a v2 text description without its NUL terminator", () => {
    expect(iccProfileName(iccWithDesc(textDescription("sRGB IEC61966-2.1")))).toBe("sRGB IEC61966-2.1");
  });

  it("returns undefined for a missing, short or inconsistent profile", () => {
    const lying = iccWithDesc(textDescription("x"));
    new DataView(lying.buffer).setUint32(140, 10_000); // tag size beyond the profile
    expect(iccProfileName(undefined)).toBeUndefined();
    expect(iccProfileName(new Uint8Array(100))).toBeUndefined();
    expect(iccProfileName(lying)).toBeUndefined();
  });
});

describe("photoshopBuildFromXmp", () => {
  it("reads the creator tool in element form, decoding XML entities", () => {
    const xmp = "<xmp:CreatorTool>Adobe Photoshop 26.1 (Macintosh) &amp; more</xmp:CreatorTool>";
    expect(photoshopBuildFromXmp(xmp)).toBe("Adobe Photoshop 26.1 (Macintosh) & more");
  });

  it("ignores creator tools that are not Photoshop", () => {
    expect(photoshopBuildFromXmp('<rdf:Description xmp:CreatorTool="GIMP 2.10"/>')).toBeUndefined();
    expect(photoshopBuildFromXmp(undefined)).toBeUndefined();
  });
});

describe("psdImageResource", () => {
  const xmp = '<x:xmpmeta xmlns:x="adobe:ns:meta/"/>';
  const psd = writePsdUint8Array({ width: 4, height: 4, imageResources: { xmpMetadata: xmp } });

  it("finds a resource by id in a PSD", () => {
    const found = psdImageResource(psd, 1060); // XMP metadata
    expect(new TextDecoder().decode(found)).toBe(xmp);
  });

  it("returns undefined for an absent resource or a truncated file", () => {
    expect(psdImageResource(psd, 1039)).toBeUndefined();
    expect(psdImageResource(psd.subarray(0, 40), 1060)).toBeUndefined();
    expect(psdImageResource(psd.subarray(0, 10), 1060)).toBeUndefined();
  });
});
