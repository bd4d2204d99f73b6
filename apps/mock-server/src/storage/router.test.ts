import { describe, expect, it } from "vitest";
import { advance, postJson, presign, testEmulator, upload } from "../testing/helpers.js";

describe("storage", () => {
  it("stores a PUT and serves it on GET and HEAD with its content type, length and ETag", async () => {
    const { app } = testEmulator();
    const bytes = new Uint8Array([1, 2, 3, 4, 5]);
    const put = await app.request(await presign(app, "a/b c.bin", "PUT"), {
      method: "PUT",
      body: bytes,
      headers: { "content-type": "application/x-test" },
    });
    expect(put.status).toBe(200);
    const etag = put.headers.get("etag");
    expect(etag).toBe('"7cfdd07889b3295d6a550914ab35e068"');

    const url = await presign(app, "a/b c.bin", "GET");
    expect(url).toContain("/__emulator/storage/objects/a%2Fb%20c.bin?expires=");
    const get = await app.request(url);
    expect(get.status).toBe(200);
    expect(get.headers.get("content-type")).toBe("application/x-test");
    expect(get.headers.get("etag")).toBe(etag);
    expect([...new Uint8Array(await get.arrayBuffer())]).toEqual([1, 2, 3, 4, 5]);

    const head = await app.request(url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("5");
    expect(await head.text()).toBe("");
  });

  it("still serves a key with '/' under a URL that keeps the slash raw, with the same signature", async () => {
    const { app } = testEmulator();
    await upload(app, "in/photo.jpg", new Uint8Array([7, 8]), "image/jpeg");
    const raw = (await presign(app, "in/photo.jpg", "GET")).replace("in%2Fphoto.jpg", "in/photo.jpg");
    expect(new URL(raw).pathname).toBe("/__emulator/storage/objects/in/photo.jpg");
    const get = await app.request(raw);
    expect(get.status).toBe(200);
    expect([...new Uint8Array(await get.arrayBuffer())]).toEqual([7, 8]);
  });

  it("answers the presign request with the URL, method, key and expiry", async () => {
    const { app, clock } = testEmulator();
    const res = await app.request(
      "/__emulator/storage/presign",
      postJson({ key: "x.png", method: "GET", expiresIn: 60 }),
    );
    const body = (await res.json()) as Record<string, string>;
    expect(body).toMatchObject({ method: "GET", key: "x.png" });
    expect(body.expiresAt).toBe(new Date(Math.floor(clock.now() / 1000) * 1000 + 60_000).toISOString());
  });

  it("answers 403 AccessDenied in S3 XML once the URL has expired", async () => {
    const { app } = testEmulator();
    await upload(app, "k.txt", new TextEncoder().encode("hi"), "text/plain");
    const url = await presign(app, "k.txt", "GET", 30);
    expect((await app.request(url)).status).toBe(200);
    await advance(app, 30_000);
    const res = await app.request(url);
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toBe("application/xml");
    expect(await res.text()).toContain("<Code>AccessDenied</Code><Message>Request has expired</Message>");
  });

  it("answers 403 SignatureDoesNotMatch for a tampered key, expiry, signature or method", async () => {
    const { app } = testEmulator();
    await upload(app, "k.txt", new TextEncoder().encode("hi"), "text/plain");
    const url = new URL(await presign(app, "k.txt", "GET"));
    const tampered = [
      url.href.replace("k.txt", "j.txt"),
      url.href.replace(/expires=(\d+)/, (_m, n: string) => `expires=${Number(n) + 1000}`),
      // Another first character: a signature that already starts with "A" (1 in 64) was left as it was.
      url.href.replace(/sig=(.)/, (_m, first: string) => `sig=${first === "A" ? "B" : "A"}`),
    ];
    for (const href of tampered) {
      const res = await app.request(href);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain("SignatureDoesNotMatch");
    }
    const put = await app.request(url.href, { method: "PUT", body: "x" });
    expect(put.status).toBe(403);
  });

  it("answers 403 for an unsigned URL and 404 NoSuchKey for a signed URL to a missing object", async () => {
    const { app } = testEmulator();
    const unsigned = await app.request("/__emulator/storage/objects/k.txt");
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain("AccessDenied");
    const missing = await app.request(await presign(app, "nothing-here", "GET"));
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("<Code>NoSuchKey</Code>");
  });

  it("answers 413 EntityTooLarge for an object over maxObjectBytes", async () => {
    const { app } = testEmulator({ limits: { maxObjectBytes: 10 } });
    const res = await app.request(await presign(app, "big", "PUT"), {
      method: "PUT",
      body: new Uint8Array(11),
    });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain("<Code>EntityTooLarge</Code>");
    const ok = await app.request(await presign(app, "small", "PUT"), {
      method: "PUT",
      body: new Uint8Array(10),
    });
    expect(ok.status).toBe(200);
  });

  it("evicts the least recently used objects past maxStoreBytes", async () => {
    const { app } = testEmulator({ limits: { maxStoreBytes: 25 } });
    await upload(app, "a", new Uint8Array(10));
    await upload(app, "b", new Uint8Array(10));
    expect((await app.request(await presign(app, "a", "GET"))).status).toBe(200);
    await upload(app, "c", new Uint8Array(10));
    expect((await app.request(await presign(app, "a", "GET"))).status).toBe(200);
    expect((await app.request(await presign(app, "b", "GET"))).status).toBe(404);
    expect((await app.request(await presign(app, "c", "GET"))).status).toBe(200);
  });

  it("refuses invalid keys, methods and expiries at presign with 400", async () => {
    const { app } = testEmulator();
    for (const body of [
      { key: "../etc/passwd", method: "GET" },
      { key: "/abs", method: "GET" },
      { key: "a//b", method: "GET" },
      { key: "ok", method: "DELETE" },
      { key: "ok", method: "GET", expiresIn: 0 },
      { key: "ok", method: "GET", expiresIn: 604_801 },
      { method: "GET" },
    ]) {
      const res = await app.request("/__emulator/storage/presign", postJson(body));
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        type: "InputValidationError",
        reason: [expect.objectContaining({ keyword: expect.any(String) })],
      });
    }
  });

  it("answers 400 for an object path that is not a valid key", async () => {
    const { app } = testEmulator();
    const res = await app.request("/__emulator/storage/objects/a/%00b?expires=1&sig=x");
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("InvalidArgument");
  });
});

describe("conditional PUT", () => {
  it("answers 412 PreconditionFailed to If-None-Match: * when the object exists, and stores it when not", async () => {
    const { app } = testEmulator();
    const url = await presign(app, "out/once.png", "PUT");
    const put = () =>
      app.request(url, {
        method: "PUT",
        body: "x",
        headers: { "if-none-match": "*", "content-type": "text/plain" },
      });
    expect((await put()).status).toBe(200);
    const second = await put();
    expect(second.status).toBe(412);
    expect(await second.text()).toContain("<Code>PreconditionFailed</Code>");
  });
});
