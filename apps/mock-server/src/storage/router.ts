import { Hono } from "hono";
import type { EmulatorContext, EmulatorContextType, EmulatorEnv } from "../context.js";
import { StorageError } from "../http/errors.js";
import { isValidKey, OBJECTS_PATH, type SignedMethod } from "./signing.js";

/**
 * `/__emulator/storage/objects/{key}`: GET, HEAD and PUT on pre-signed URLs (minted by the control
 * API's `POST /__emulator/storage/presign`). Expired or tampered URLs get 403 with an S3-style XML
 * error.
 */
export function createStorageRouter(ctx: EmulatorContext): Hono<EmulatorEnv> {
  const router = new Hono<EmulatorEnv>();

  const objectKey = (c: EmulatorContextType, method: SignedMethod): string => {
    const url = new URL(c.req.url);
    let key: string;
    try {
      key = decodeURIComponent(url.pathname.slice(OBJECTS_PATH.length));
    } catch {
      throw new StorageError(400, "InvalidArgument", "The object key is not valid percent-encoding");
    }
    if (!isValidKey(key)) throw new StorageError(400, "InvalidArgument", "Invalid object key");
    const problem = ctx.signer.check(method, key, url.searchParams, ctx.time.now());
    if (problem === "expired") throw new StorageError(403, "AccessDenied", "Request has expired");
    if (problem === "mismatch") {
      throw new StorageError(403, "SignatureDoesNotMatch", "The request signature does not match");
    }
    if (problem === "missing")
      throw new StorageError(403, "AccessDenied", "Query-string authentication is required");
    return key;
  };

  // Hono answers HEAD with the GET handler, minus the body.
  router.get("/objects/*", (c) => {
    const key = objectKey(c, "GET");
    const object = ctx.store.get(key);
    if (!object) throw new StorageError(404, "NoSuchKey", "The specified key does not exist");
    return c.body(new Uint8Array(object.bytes), 200, {
      "content-type": object.contentType,
      "content-length": String(object.bytes.byteLength),
      etag: object.etag,
      "last-modified": new Date(object.lastModified).toUTCString(),
    });
  });

  router.put("/objects/*", async (c) => {
    const key = objectKey(c, "PUT");
    // S3's conditional write, which jobs send for outputs with overwrite: false.
    if (c.req.header("if-none-match")?.trim() === "*" && ctx.store.has(key)) {
      throw new StorageError(
        412,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
      );
    }
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const contentType = c.req.header("content-type") ?? "application/octet-stream";
    const object = ctx.store.put(key, bytes, contentType, ctx.time.now());
    return c.body(null, 200, { etag: object.etag });
  });

  return router;
}
