import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { RequestError } from "@hono/node-server";
import { ERROR_CODES, errorFamily } from "../current/family.js";

/**
 * The error shape of the path: the current contract's `{error_code, message}` on `/v1/` and `/v2/`,
 * the service shape `{type, code, title}` elsewhere (and when the path is unknown).
 */
type ProtocolErrorBody =
  | { type: string; code: number; title: string }
  | { error_code: string; message: string };

/** What can be read of the refused request: its method and path, when its request line arrived whole. */
export interface RequestLine {
  method?: string;
  path?: string;
}

/**
 * The request line of the request Node's parser refused, read from the bytes it was parsing
 * (`rawPacket`, up to `bytesParsed`): the last head that starts in them. Best effort: a request
 * line in an earlier packet (a slow client) is not seen, and then the answer is the service shape
 * with a body.
 */
export function refusedRequestLine(error: object): RequestLine {
  const { rawPacket, bytesParsed } = error as { rawPacket?: unknown; bytesParsed?: unknown };
  if (!Buffer.isBuffer(rawPacket)) return {};
  const end = typeof bytesParsed === "number" ? bytesParsed : rawPacket.length;
  const text = rawPacket.subarray(0, Math.max(end, 0) + 1).toString("latin1");
  const start = text.lastIndexOf("\r\n\r\n");
  const match = /^(?:\r?\n)*([A-Z]{1,20}) (\S*)/.exec(start < 0 ? text : text.slice(start + 4));
  return match ? { method: match[1], path: match[2] } : {};
}

function shaped(path: string | undefined, status: number, type: string, title: string): ProtocolErrorBody {
  const family = path === undefined ? undefined : errorFamily(path);
  return family ? { error_code: ERROR_CODES[family].invalid, message: title } : { type, code: status, title };
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  405: "Method Not Allowed",
  408: "Request Timeout",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
};

/** How long a refused connection may keep sending (the rest of an oversized header) before it is cut. */
const DRAIN_MS = 5_000;

/**
 * What to answer a request Node's HTTP parser refused (the server's `clientError`): 431 for headers
 * over the size limit, 408 for a request that did not arrive in time, 400 with the parser's reason
 * otherwise (a bad method, a bad byte in the path or a header, `Transfer-Encoding` with
 * `Content-Length`, folded headers).
 *
 * @param error - the parser's error; its `code` is `HPE_*` or `ERR_HTTP_REQUEST_TIMEOUT`.
 * @returns the status and the JSON body.
 * @see https://nodejs.org/api/http.html#event-clienterror
 */
export function clientErrorAnswer(
  error: Error & { code?: string },
  path?: string,
): {
  status: number;
  body: ProtocolErrorBody;
} {
  if (error.code === "HPE_HEADER_OVERFLOW") {
    return {
      status: 431,
      body: shaped(path, 431, "RequestHeaderFieldsTooLarge", "Request header fields are too large"),
    };
  }
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") {
    return {
      status: 408,
      body: shaped(path, 408, "RequestTimeout", "The request did not arrive in time"),
    };
  }
  const reason = (error as { reason?: unknown }).reason;
  const detail = typeof reason === "string" && reason.length < 200 ? `: ${reason}` : "";
  return {
    status: 400,
    body: shaped(path, 400, "InputValidationError", `The request could not be parsed${detail}`),
  };
}

/**
 * The raw bytes of a complete HTTP/1.1 answer with a JSON body that closes the connection (the
 * parser's state is lost, so no next request can be found on it). The answer to a HEAD has the
 * head only (RFC 9110 §9.3.2): its Content-Length still says what a GET would get.
 */
export function rawJsonAnswer(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  method?: string,
): string {
  const text = JSON.stringify(body);
  const lines = [
    `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}`,
    "Content-Type: application/json",
    `Content-Length: ${Buffer.byteLength(text)}`,
    "Connection: close",
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join("\r\n")}\r\n\r\n${method === "HEAD" ? "" : text}`;
}

/**
 * Ends a connection with an answer without resetting it: what the client still sends (the rest of
 * an oversized header) is read and dropped, so closing does not discard unread bytes, which would
 * make the kernel send a reset that can overtake the answer.
 */
function answerAndClose(socket: Duplex, answer: string): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.on("error", () => socket.destroy());
  socket.on("data", () => {});
  socket.resume();
  socket.end(answer);
  setTimeout(() => socket.destroy(), DRAIN_MS).unref();
}

/**
 * Answers, in JSON, what never reaches the app: requests Node's parser refuses (`clientError`)
 * and `CONNECT` (`connect`; the emulator is no proxy: 405 with the methods it does serve).
 *
 * @param server - the HTTP server serving the emulator.
 */
export function answerProtocolErrors(server: Server): void {
  server.on("clientError", (error: Error & { code?: string }, socket: Duplex) => {
    // A connection that went away has no one to answer.
    if (error.code === "ECONNRESET" || error.code === "EPIPE") {
      socket.destroy();
      return;
    }
    const { method, path } = refusedRequestLine(error);
    const { status, body } = clientErrorAnswer(error, path);
    answerAndClose(socket, rawJsonAnswer(status, body, {}, method));
  });
  server.on("connect", (_request: IncomingMessage, socket: Duplex) => {
    answerAndClose(
      socket,
      rawJsonAnswer(
        405,
        {
          type: "MethodNotAllowed",
          code: 405,
          title: "CONNECT is not supported: the emulator is not a proxy",
        },
        { Allow: "GET, HEAD, POST, PUT, DELETE" },
      ),
    );
  });
}

/**
 * The `errorHandler` of @hono/node-server's request listener: a request Node parsed but that is no
 * URL (`OPTIONS *`, a backslash in the path, a bad Host) gets a JSON 400 instead of an empty one.
 *
 * @param error - a `RequestError` when no Request could be built; anything else is a bug.
 * @returns the answer.
 */
export function requestErrorAnswer(error: unknown): Response {
  if (error instanceof RequestError) {
    return Response.json(
      {
        type: "InputValidationError",
        code: 400,
        title: `The request is not valid HTTP for this server: ${error.message}`,
      },
      // Node parsed the request whole, so the connection stays usable: keep-alive survives (Node
      // drops a body the answer did not read), as after any other 400.
      { status: 400 },
    );
  }
  return Response.json(
    { type: "UndefinedError", code: 500, title: "Internal Server Error" },
    { status: 500 },
  );
}
