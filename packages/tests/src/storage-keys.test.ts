import { describe, expect, it } from "vitest";
import { createTestEnvironment } from "./harness/environment.js";
import { readFixture } from "./harness/images.js";

describe("storage keys", () => {
  it("pre-signs a key with '/' as one percent-encoded segment, so its object routes are declared ones", async () => {
    const env = await createTestEnvironment();
    try {
      const url = (await env.control.presign("inputs/coffee.png", "PUT")).url;
      expect(env.recorder.exchanges).toHaveLength(1);
      // OpenAPI path parameters cannot hold an unescaped '/': {key} is one segment.
      expect(new URL(url).pathname).toBe("/__emulator/storage/objects/inputs%2Fcoffee.png");
      await env.control.putObject("inputs/coffee.png", await readFixture("coffee.png"), "image/png");
      expect(env.recorder.exchanges).toHaveLength(4); // + presign PUT, PUT, presign GET
    } finally {
      // close() fails the test if any answer broke the spec, an undeclared route among them.
      await env.close();
    }
  });

  it("answers a key that is not valid percent-encoding with a declared 400 InvalidArgument (found by the fuzz suite)", async () => {
    const env = await createTestEnvironment();
    try {
      // A pre-signed URL whose key is swapped for broken percent-encoding (no client builds one).
      const broken = new URL((await env.control.presign("k", "GET")).url);
      broken.pathname = broken.pathname.replace(/[^/]+$/, "%E0%A4%A");
      for (const method of ["GET", "HEAD", "PUT"]) {
        const res = await env.fetch(broken.href, {
          method,
          body: method === "PUT" ? "x" : undefined,
        });
        expect(res.status, method).toBe(400);
        if (method !== "HEAD") expect(await res.text()).toContain("<Code>InvalidArgument</Code>");
      }
    } finally {
      // close() fails the test if the 400 is not declared for the route.
      await env.close();
    }
  });
});
