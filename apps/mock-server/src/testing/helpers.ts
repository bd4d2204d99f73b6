import { createFakeClock } from "@psapi/core/testing";
import sharp from "sharp";
import { expect } from "vitest";
import { type CreateEmulatorOptions, createEmulator } from "../app.js";
import { createEmulatorControl, type EmulatorControl } from "../control-client/control-client.js";

/** When the emulator's tests start, unless they say otherwise: 2026-11-23T18:00:00Z. */
export const TEST_START = Date.UTC(2026, 10, 23, 18, 0, 0);

export const CLIENT_ID = "psapi-demo-client";
export const CLIENT_SECRET = "psapi-demo-secret";

export type App = ReturnType<typeof createEmulator>;

/** An emulator on a manual clock with instant jobs unless told otherwise. */
export function testEmulator(options: CreateEmulatorOptions = {}) {
  const clock = createFakeClock({ start: TEST_START });
  const app = createEmulator({ clock, jobs: { pendingMs: 0, runningMs: 0 }, ...options });
  return { app, clock };
}

export function form(params: Record<string, string>): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params),
  };
}

export function postJson(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}

export async function getToken(
  app: App,
  clientId = CLIENT_ID,
  clientSecret = CLIENT_SECRET,
): Promise<string> {
  const res = await app.request(
    "/ims/token/v3",
    form({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret }),
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

export async function authHeaders(app: App): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await getToken(app)}`, "x-api-key": CLIENT_ID };
}

/** The control client on an in-process emulator (its origin as `app.request` gives it). */
export function controlOf(app: App): EmulatorControl {
  return createEmulatorControl({ baseUrl: "http://localhost", fetch: async (request) => app.fetch(request) });
}

export async function presign(
  app: App,
  key: string,
  method: "GET" | "PUT",
  expiresIn?: number,
): Promise<string> {
  return (await controlOf(app).presign(key, method, expiresIn === undefined ? {} : { expiresIn })).url;
}

export async function upload(
  app: App,
  key: string,
  bytes: Uint8Array,
  contentType = "image/png",
): Promise<void> {
  await controlOf(app).putObject(key, new Uint8Array(bytes), contentType);
}

export async function advance(app: App, ms: number): Promise<void> {
  await controlOf(app).advanceClock(ms);
}

/** A PNG with a red disc on white: a subject the mask must find. */
export function subjectPng(width = 64, height = 48): Promise<Buffer> {
  const r = Math.round(Math.min(width, height) / 3);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="white"/><circle cx="${width / 2}" cy="${height / 2}" r="${r}" fill="#c02020"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
