import fc from "fast-check";

/** One raw request: its bytes as sent on the wire, and what it was made of (for a finding). */
export interface RawFuzzRequest {
  readonly method: string;
  readonly bytes: Buffer;
  readonly description: string;
}

/** Where a client may put a secret that is not its place: the emulator must not show it anywhere. */
export type SecretPlace = "none" | "path" | "query" | "header" | "basic" | "base64-header" | "json" | "form";

const METHODS = ["GET", "HEAD", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND", "FOO"];

/** Bytes a path may hold raw, unencoded: non-ASCII (UTF-8 and lone Latin-1 bytes) and controls. */
const RAW_PATH_BYTES: readonly (readonly [string, Buffer])[] = [
  ["utf-8 é", Buffer.from("é", "utf8")],
  ["latin-1 0xE9", Buffer.from([0xe9])],
  ["0xFF", Buffer.from([0xff])],
  ["emoji", Buffer.from("😀", "utf8")],
  ["NUL", Buffer.from([0x00])],
  ["0x01", Buffer.from([0x01])],
  ["DEL", Buffer.from([0x7f])],
  ["tab", Buffer.from([0x09])],
  ["backslash", Buffer.from("\\")],
  ["quote", Buffer.from('"')],
  ["none", Buffer.alloc(0)],
  ["none", Buffer.alloc(0)],
];

const UPGRADES: readonly (readonly [string, string])[][] = [
  [],
  [],
  [],
  [
    ["Upgrade", "websocket"],
    ["Connection", "Upgrade"],
    ["Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="],
    ["Sec-WebSocket-Version", "13"],
  ],
  [
    ["Upgrade", "h2c"],
    ["Connection", "Upgrade, HTTP2-Settings"],
    ["HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA"],
  ],
  [["Upgrade", "TLS/1.2, HTTP/1.1"]],
];

/**
 * Raw HTTP/1.1 requests of the kinds only a raw socket can send: raw bytes in the path under every
 * method, HEAD everywhere, upgrade headers, a client secret in the wrong field. Framing stays
 * honest (a body always has its exact `Content-Length`), so after an answer without
 * `Connection: close` the same connection must take another request.
 *
 * @param paths - request paths to start from (the spec's templates, filled).
 * @param secret - a configured client's secret and id, placed in odd fields.
 */
export function rawRequestArbitrary(
  paths: readonly string[],
  client: { clientId: string; clientSecret: string },
): fc.Arbitrary<RawFuzzRequest> {
  return fc
    .record({
      method: fc.constantFrom(...METHODS),
      path: fc.constantFrom(...paths),
      raw: fc.constantFrom(...RAW_PATH_BYTES),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      upgrade: fc.constantFrom(...UPGRADES),
      secret: fc.constantFrom<SecretPlace>(
        "none",
        "none",
        "path",
        "query",
        "header",
        "basic",
        "base64-header",
        "json",
        "form",
      ),
    })
    .map(({ method, path, raw, at, upgrade, secret }): RawFuzzRequest => {
      let target = path;
      if (secret === "path") target = `${target}/${encodeURIComponent(client.clientSecret)}`;
      const cut = Math.floor(at * target.length);
      const pathBytes = Buffer.concat([
        Buffer.from(target.slice(0, cut), "latin1"),
        raw[1],
        Buffer.from(target.slice(cut), "latin1"),
      ]);
      const query = secret === "query" ? `?note=${encodeURIComponent(client.clientSecret)}` : "";
      const headers: (readonly [string, string])[] = [["Host", "127.0.0.1"], ...upgrade];
      if (secret === "header") headers.push(["X-Note", client.clientSecret]);
      if (secret === "basic") {
        headers.push([
          "Authorization",
          `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString("base64")}`,
        ]);
      }
      if (secret === "base64-header") {
        headers.push(["X-Data", Buffer.from(`secret=${client.clientSecret}`).toString("base64")]);
      }
      let body = "";
      if (secret === "json") {
        body = JSON.stringify({
          image: { source: { url: "https://x.invalid/a.png" } },
          note: client.clientSecret,
        });
        headers.push(["Content-Type", "application/json"]);
      } else if (secret === "form") {
        body = new URLSearchParams({
          grant_type: "client_credentials",
          client_id: client.clientId,
          note: client.clientSecret,
        }).toString();
        headers.push(["Content-Type", "application/x-www-form-urlencoded"]);
      }
      if (body) headers.push(["Content-Length", String(Buffer.byteLength(body))]);
      const head = `${headers.map(([name, value]) => `${name}: ${value}`).join("\r\n")}\r\n\r\n`;
      const bytes = Buffer.concat([
        Buffer.from(`${method} `, "latin1"),
        pathBytes,
        Buffer.from(`${query} HTTP/1.1\r\n${head}${body}`, "latin1"),
      ]);
      const parts = [
        `${method} ${path}`,
        raw[0] !== "none" ? `raw ${raw[0]} in the path` : "",
        upgrade.length > 0 ? `upgrade ${upgrade[0]?.[1]}` : "",
        secret !== "none" ? `secret in ${secret}` : "",
      ];
      return { method, bytes, description: parts.filter(Boolean).join(", ") };
    });
}
