import sharp from "sharp";
import type { TestEnvironment } from "./environment.js";

/** A JSON answer of the current contract, as the suites read it. */
export interface CurrentAnswer {
  readonly status: number;
  readonly json: Record<string, unknown>;
}

/** A mask region of a masking status (`RegionMask` in `openapi/photoshop-current.yaml`). */
export interface RegionMask {
  readonly label: string;
  readonly score: number;
  readonly boundingBox: { x: number; y: number; width: number; height: number };
  readonly destination: { url: string };
  readonly mediaType: string;
}

/**
 * Calls the current contract (`photoshop-current.yaml`) over HTTP with the environment's fetch
 * (recorded and held against the spec) and a token from its auth. The suites drive these routes
 * directly, so they prove the emulator's side of the contract whatever the client does.
 *
 * @param env The environment.
 * @param method HTTP method.
 * @param path A path on the emulator or an absolute URL (a `statusUrl`).
 * @param body A JSON body, or `{ text }` to send it as text/plain.
 * @returns The status and the parsed JSON body.
 * @example
 * const { status, json } = await callCurrent(env, "POST", "/v2/remove-background", { image: { source: { url } } });
 */
export async function callCurrent(
  env: TestEnvironment,
  method: string,
  path: string,
  body?: unknown,
): Promise<CurrentAnswer> {
  const token = await env.auth.getToken();
  const headers: Record<string, string> = {
    authorization: `Bearer ${token.accessToken}`,
    "x-api-key": token.clientId,
  };
  const init: RequestInit = { method, headers };
  if (body !== undefined) {
    const text = (body as { text?: string }).text;
    headers["content-type"] = text === undefined ? "application/json" : "text/plain";
    init.body = text ?? JSON.stringify(body);
  }
  const response = await env.fetch(new Request(new URL(path, env.baseUrl), init));
  const raw = await response.text();
  return { status: response.status, json: raw === "" ? {} : (JSON.parse(raw) as Record<string, unknown>) };
}

/**
 * Submits one current-contract job, lets the emulator finish it (`advanceClock(0)` waits for the
 * work it started) and reads its final status from the answer's `statusUrl`.
 *
 * @returns The final status body.
 * @throws When the submission is not 202 or the status read is not 200.
 */
export async function runCurrentJob(
  env: TestEnvironment,
  path: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const submitted = await callCurrent(env, "POST", path, body);
  if (submitted.status !== 202) {
    throw new Error(`POST ${path} answered ${submitted.status}: ${JSON.stringify(submitted.json)}`);
  }
  await env.control.advanceClock(0);
  const status = await callCurrent(env, "GET", String(submitted.json.statusUrl));
  if (status.status !== 200) throw new Error(`status answered ${status.status}`);
  return status.json;
}

/**
 * Downloads a hosted result (a pre-signed GET URL on the emulator's storage) through the
 * environment's fetch.
 *
 * @throws When the answer is not 200.
 */
export async function downloadHosted(env: TestEnvironment, url: string): Promise<Uint8Array> {
  const response = await env.fetch(new Request(url));
  if (response.status !== 200) throw new Error(`GET of a hosted result answered ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The `url` of `result.outputs[index].destination` of a v2 status. */
export function outputUrl(status: Record<string, unknown>, index = 0): string {
  const outputs = (status.result as { outputs: { destination: { url: string } }[] } | undefined)?.outputs;
  const url = outputs?.[index]?.destination.url;
  if (!url) throw new Error(`no output ${index} in ${JSON.stringify(status)}`);
  return url;
}

/**
 * Counts a one-channel mask's non-zero pixels inside and outside a bounding box, decoding it with
 * sharp.
 *
 * @returns The mask's size and the two counts.
 */
export async function maskAgainstBox(
  png: Uint8Array,
  box: { x: number; y: number; width: number; height: number },
): Promise<{ width: number; height: number; inside: number; outside: number }> {
  const { data, info } = await sharp(png).toColourspace("b-w").raw().toBuffer({ resolveWithObject: true });
  let inside = 0;
  let outside = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0) continue;
    const x = i % info.width;
    const y = Math.floor(i / info.width);
    const within = x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
    if (within) inside++;
    else outside++;
  }
  return { width: info.width, height: info.height, inside, outside };
}

/**
 * One valid submission of every current-contract operation, `[path, body]`, on the image at `url`
 * (the contract sweep's, the trial quota's): the list an operation joins when it is added.
 */
export function currentSubmissions(url: string): [string, Record<string, unknown>][] {
  const image = { source: { url } };
  const png = [{ destination: { validityPeriod: 600 }, mediaType: "image/png" }];
  return [
    ["/v2/remove-background", { image, mode: "mask" }],
    [
      "/v2/generate-manifest",
      { image, outputs: [{ destination: { embedded: "json" }, mediaType: "application/json" }] },
    ],
    ["/v1/mask-objects", { image }],
    ["/v1/mask-body-parts", { image, mask: image }],
    ["/v1/refine-mask", { image, mask: image }],
    ["/v1/fill-masked-areas", { image, masks: [image] }],
    ["/v2/create-composite", { image, outputs: png }],
    ["/v2/create-artboard", { images: [image], outputs: png }],
    [
      "/v2/execute-actions",
      {
        image,
        options: {
          actions: [{ source: { content: '[{"_obj":"desaturate"}]', contentType: "application/json" } }],
        },
        outputs: png,
      },
    ],
    [
      "/v2/edit",
      {
        image,
        edits: { light: { exposure: 0.5 } },
        outputs: [{ destination: { validityPeriod: 600 }, mediaType: "image/jpeg" }],
      },
    ],
    ["/v1/auto-crop", { image, mode: "smartCrop", aspectRatio: ["1:1", "16:9"] }],
  ];
}
