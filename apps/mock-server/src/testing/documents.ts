// What the document routes' tests share (create-composite's and execute-actions'): a template PSD
// in the emulator's storage, a spec-checked POST, a job run to its end and one pixel of a result.
import type { Psd } from "ag-psd";
import { writePsdUint8Array } from "ag-psd";
import sharp from "sharp";
import { expect } from "vitest";
import { filled, preparePsdPixels } from "../imaging/composite/pixels.js";
import { advance, authHeaders, postJson, presign, testEmulator, upload } from "./helpers.js";
import { responseChecker } from "./spec-check.js";

export type App = ReturnType<typeof testEmulator>["app"];
export type Json = Record<string, unknown>;
export type Output = { destination: { url?: string; content?: unknown }; mediaType: string };

export const check = responseChecker("photoshop-current.yaml");
preparePsdPixels();

/** A 60 x 40 PSD: white background, a red box "Badge" at (10,10) 10x10, a smart object "Product". */
export function template(): Uint8Array {
  const box = (rgb: [number, number, number], w: number, h: number) => filled(w, h, rgb);
  const psd: Psd = {
    width: 60,
    height: 40,
    imageData: filled(60, 40, [255, 255, 255]),
    children: [
      {
        id: 1,
        name: "Background",
        left: 0,
        top: 0,
        right: 60,
        bottom: 40,
        imageData: box([255, 255, 255], 60, 40),
      },
      { id: 2, name: "Badge", left: 10, top: 10, right: 20, bottom: 20, imageData: box([255, 0, 0], 10, 10) },
      {
        id: 3,
        name: "Product",
        left: 30,
        top: 10,
        right: 50,
        bottom: 30,
        imageData: box([0, 0, 255], 20, 20),
        placedLayer: {
          id: "5d6e7f80-9391-11ec-b4f1-c15674f50bc4",
          type: "raster",
          transform: [30, 10, 50, 10, 50, 30, 30, 30],
          width: 20,
          height: 20,
        },
      },
    ],
  };
  for (let y = 10; y < 20; y++)
    for (let x = 10; x < 20; x++) psd.imageData?.data.set([255, 0, 0, 255], (y * 60 + x) * 4);
  for (let y = 10; y < 30; y++)
    for (let x = 30; x < 50; x++) psd.imageData?.data.set([0, 0, 255, 255], (y * 60 + x) * 4);
  return writePsdUint8Array(psd, { noBackground: true });
}

export async function setup(options: Parameters<typeof testEmulator>[0] = {}) {
  const { app } = testEmulator(options);
  const headers = await authHeaders(app);
  await upload(app, "in/template.psd", Buffer.from(template()));
  await upload(
    app,
    "in/green.png",
    await sharp({ create: { width: 8, height: 8, channels: 4, background: "#00ff00" } })
      .png()
      .toBuffer(),
  );
  return {
    app,
    headers,
    psd: await presign(app, "in/template.psd", "GET"),
    green: await presign(app, "in/green.png", "GET"),
  };
}

export async function post(
  app: App,
  path: string,
  body: unknown,
  headers: Record<string, string>,
  operationId: string,
) {
  const res = await app.request(path, postJson(body, headers));
  const json = (await res.json()) as Json;
  expect(check(operationId, res.status, json)).toEqual([]);
  return { status: res.status, json };
}

export async function done(app: App, url: string, headers: Record<string, string>) {
  await advance(app, 0);
  const res = await app.request(url, { headers });
  const json = (await res.json()) as Json;
  expect(check("getV2JobStatus", 200, json)).toEqual([]);
  return json;
}

export async function pixel(app: App, url: string, x: number, y: number): Promise<number[]> {
  const bytes = Buffer.from(await (await app.request(url)).arrayBuffer());
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * 4;
  return [...data.subarray(i, i + 4)];
}

export const hostedPng = { destination: { validityPeriod: 600 }, mediaType: "image/png" };
