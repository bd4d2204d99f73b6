import type { components } from "@psapi/openapi-types/photoshop-current";
import { writePsdUint8Array } from "ag-psd";
import sharp from "sharp";
import { asBytes, type RawImage } from "./raster.js";

/** The output media types the current contract's image operations write. */
export type OutputMediaType = components["schemas"]["RemoveBackgroundMediaType"];

/** The PSD media type (Adobe's spelling). */
export const PSD_MEDIA_TYPE = "image/vnd.adobe.photoshop";

/** One layer of {@link writeLayeredPsd}, bottom first. */
export interface PsdLayer {
  name: string;
  /** The layer's pixels at canvas size (1, 3 or 4 channels). */
  image: RawImage;
  hidden?: boolean;
  /** 0–1. Default 1. */
  opacity?: number;
  /** A user layer mask at canvas size, one byte per pixel (255 shows the layer). */
  mask?: Uint8Array;
}

/** What the encoded bytes are; `M` narrows the media type where the caller knows it. */
export interface EncodedImage<M extends OutputMediaType = OutputMediaType> {
  bytes: Uint8Array;
  mediaType: M;
  width: number;
  height: number;
}

/**
 * zlib level for the PNGs we write: masks and cutouts are mostly flat areas that compress well
 * at a low level; level 6 costs several times more at 12 MP for a few per cent of size.
 */
const PNG_COMPRESSION = 2;
const JPEG_QUALITY = 90;

/** Widens any raw image to RGBA, as ag-psd takes layer pixels. */
export function toRgba(image: RawImage): Uint8ClampedArray {
  const { data, width, height, channels } = image;
  const n = width * height;
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    if (channels === 1) {
      const v = data[i] ?? 0;
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
      out[o + 3] = 255;
    } else {
      const s = i * channels;
      out[o] = data[s] ?? 0;
      out[o + 1] = data[s + 1] ?? 0;
      out[o + 2] = data[s + 2] ?? 0;
      out[o + 3] = channels === 4 ? (data[s + 3] ?? 0) : 255;
    }
  }
  return out;
}

/**
 * Writes an 8-bit RGB PSD with the given pixel layers (bottom first) and a composite, with
 * [ag-psd](https://github.com/Agamnentzar/ag-psd). A layer's `mask` becomes a user (pixel) mask,
 * as Photoshop's "Add layer mask" makes one; the composite is what viewers without layer support
 * show.
 *
 * @example
 * const psd = writeLayeredPsd(composite, [{ name: "Original", image: rgb, hidden: true }, { name: "Subject", image: rgb, mask }]);
 */
export function writeLayeredPsd(composite: RawImage, layers: readonly PsdLayer[]): Uint8Array {
  const { width, height } = composite;
  const psd = writePsdUint8Array(
    {
      width,
      height,
      imageData: { data: toRgba(composite), width, height },
      children: layers.map((layer) => ({
        name: layer.name,
        top: 0,
        left: 0,
        hidden: layer.hidden ?? false,
        opacity: layer.opacity ?? 1,
        imageData: { data: toRgba(layer.image), width, height },
        ...(layer.mask
          ? {
              mask: {
                top: 0,
                left: 0,
                defaultColor: 0,
                imageData: { data: toRgba({ data: layer.mask, width, height, channels: 1 }), width, height },
              },
            }
          : {}),
      })),
    },
    // A bottom layer without transparency would otherwise become Photoshop's locked Background.
    { noBackground: true },
  );
  return psd;
}

/**
 * Encodes raw pixels as PNG, JPEG, WebP or a one-layer PSD. PNG keeps the channel count (a
 * mask stays one grey channel); JPEG writes grey as one channel and flattens alpha onto white
 * (JPEG has no alpha); WebP is lossless and always RGB(A), as libwebp stores no grey images.
 *
 * @param layerName - the PSD layer's name.
 */
export async function encodeImage<M extends OutputMediaType>(
  image: RawImage,
  mediaType: M,
  layerName = "Layer 1",
): Promise<EncodedImage<M>> {
  const { width, height, channels } = image;
  const done = (bytes: Uint8Array): EncodedImage<M> => ({ bytes, mediaType, width, height });
  if (mediaType === PSD_MEDIA_TYPE) return done(writeLayeredPsd(image, [{ name: layerName, image }]));
  let pipeline = sharp(image.data, { raw: { width, height, channels } });
  // Without toColourspace("b-w") sharp writes greyscale out as three identical sRGB channels.
  if (channels === 1) pipeline = pipeline.toColourspace("b-w");
  if (mediaType === "image/png")
    return done(asBytes(await pipeline.png({ compressionLevel: PNG_COMPRESSION }).toBuffer()));
  if (mediaType === "image/jpeg") {
    if (channels === 4) pipeline = pipeline.flatten({ background: "#ffffff" });
    return done(asBytes(await pipeline.jpeg({ quality: JPEG_QUALITY }).toBuffer()));
  }
  return done(asBytes(await pipeline.webp({ lossless: true }).toBuffer()));
}
