// Deterministic test photos: a soft gradient backdrop with one clear subject (a shaded disc and its
// shadow), so a mask has something to find, plus seeded grain so the JPEG weighs what a photo of that
// size weighs (a smooth synthetic image compresses 20× better and decodes faster than a real one).
// Generated at run time with sharp; the same sharp and libvips versions give the same bytes.
import sharp from "sharp";

/**
 * A JPEG of `width` × `height` with a centred subject.
 * @example const oneMegapixel = await makeJpeg(1200, 834);
 */
export async function makeJpeg(width: number, height: number): Promise<Buffer> {
  const r = Math.round(Math.min(width, height) * 0.3);
  const cx = Math.round(width / 2);
  const cy = Math.round(height / 2);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#dfe9f3"/><stop offset="1" stop-color="#a9bccf"/>
    </linearGradient>
    <radialGradient id="ball" cx="0.35" cy="0.35" r="0.75">
      <stop offset="0" stop-color="#f06a4a"/><stop offset="1" stop-color="#7a1a0c"/>
    </radialGradient>
  </defs>
  <rect width="100%" height="100%" fill="url(#bg)"/>
  <ellipse cx="${cx + r * 0.2}" cy="${cy + r * 1.05}" rx="${r * 0.9}" ry="${r * 0.18}" fill="#000" fill-opacity="0.25"/>
  <circle cx="${cx}" cy="${cy}" r="${r}" fill="url(#ball)"/>
</svg>`;
  const scene = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer();
  // xorshift32 grain, ±12 levels per channel: deterministic, no Math.random.
  let state = 0x9e3779b9;
  for (let i = 0; i < scene.length; i += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    scene[i] = Math.max(0, Math.min(255, (scene[i] as number) + ((state >>> 0) % 25) - 12));
  }
  return sharp(scene, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** The two sizes the job bench uses: 1 MP (1224 × 817) and 12 MP (4000 × 3000). */
export const SIZES = {
  "1MP": { width: 1224, height: 817 },
  "12MP": { width: 4000, height: 3000 },
} as const;
