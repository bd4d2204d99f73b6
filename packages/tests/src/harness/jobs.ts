import type { CreateMaskRequest } from "@psapi/client";
import type { TestEnvironment } from "./environment.js";
import { subjectPng } from "./images.js";

/** Options of {@link maskRequest}. */
export interface MaskRequestOptions {
  /** `output.overwrite`; left out by default. */
  overwrite?: boolean;
  /** Lifetime of the input's pre-signed GET URL, in seconds. Default: the emulator's (1 h). */
  inputExpiresIn?: number;
  /** Input image size. Default 64 x 48. */
  size?: { width: number; height: number };
  /** Varies the generated input image. */
  seed?: number;
  /** Sign the input URL without uploading anything, so that the job finds no object there. */
  withoutInput?: boolean;
}

/**
 * Uploads a small generated image to the emulator's storage and builds a `createMask` body whose
 * output goes to `<name>-output.png`. Keys have no `/` (see the storage-key-with-slash entry in
 * the README's known disagreements).
 *
 * @param env The environment whose emulator stores the input.
 * @param name Prefix of the input and output keys; unique per job.
 * @param options See {@link MaskRequestOptions}.
 * @returns The request body and the output's key.
 * @example
 * const { body, outputKey } = await maskRequest(env, "job-1");
 * await (await env.client.createMask(body)).wait();
 */
export async function maskRequest(
  env: TestEnvironment,
  name: string,
  options: MaskRequestOptions = {},
): Promise<{ body: CreateMaskRequest; outputKey: string }> {
  const { width, height } = options.size ?? { width: 64, height: 48 };
  const inputKey = `${name}-input.png`;
  const outputKey = `${name}-output.png`;
  if (!options.withoutInput) {
    await env.control.putObject(inputKey, await subjectPng(width, height, options.seed), "image/png");
  }
  const input =
    options.inputExpiresIn === undefined
      ? (await env.control.presign(inputKey, "GET")).url
      : (await env.control.presign(inputKey, "GET", { expiresIn: options.inputExpiresIn })).url;
  const output = (await env.control.presign(outputKey, "PUT")).url;
  return {
    body: {
      input: { href: input, storage: "external" },
      output: {
        href: output,
        storage: "external",
        mask: { format: "soft" },
        ...(options.overwrite === undefined ? {} : { overwrite: options.overwrite }),
      },
    },
    outputKey,
  };
}
