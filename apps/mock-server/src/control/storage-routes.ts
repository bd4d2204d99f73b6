import type { components } from "@psapi/openapi-types/emulator";
import { Hono } from "hono";
import { type EmulatorContext, type EmulatorEnv, publicOrigin } from "../context.js";
import { inputValidationError, issue } from "../http/errors.js";
import { bodyValidator } from "../http/openapi-validator.js";
import { readJsonBody } from "../http/request-body.js";
import { isValidKey } from "../storage/signing.js";

type PresignRequest = components["schemas"]["PresignRequest"];

const DEFAULT_EXPIRES_IN = 3600;

/**
 * The control API's storage route, `POST /__emulator/storage/presign`: mints a pre-signed URL for
 * one object key (the objects themselves are served by ../storage/router.ts).
 */
export function createPresignRoute(ctx: EmulatorContext): Hono<EmulatorEnv> {
  const router = new Hono<EmulatorEnv>();

  const validatePresign = bodyValidator("emulator.yaml", "presignStorageUrl");

  router.post("/presign", async (c) => {
    const body = await readJsonBody<PresignRequest>(c, validatePresign);
    if (!isValidKey(body.key)) {
      throw inputValidationError("Invalid object key", [
        issue("/key", "key", "must be 1-1024 characters, no leading slash, no empty, . or .. segments"),
      ]);
    }
    const expiresIn = body.expiresIn ?? DEFAULT_EXPIRES_IN;
    const expires = Math.floor(ctx.time.now() / 1000) + expiresIn;
    return c.json({
      url: ctx.signer.presign(publicOrigin(ctx, c), body.method, body.key, expires),
      method: body.method,
      key: body.key,
      expiresAt: new Date(expires * 1000).toISOString(),
    });
  });

  return router;
}
