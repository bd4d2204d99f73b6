import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect, type Socket } from "node:net";
import { Duplex } from "node:stream";

/** One answer as Node's strict HTTP/1.1 parser (llhttp, `insecureHTTPParser` off) read it. */
export interface StrictAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What a raw exchange on one connection gave: the answer, or why it is not valid HTTP. */
export type Exchange =
  | {
      ok: true;
      answer: StrictAnswer /** The server closed the connection after the answer. */;
      closed: boolean;
    }
  | { ok: false; problem: string };

/**
 * A connection on which raw bytes are sent and each answer is read by Node's own HTTP client in
 * strict mode: the client's request goes nowhere (its bytes are dropped), and what the server sends
 * is fed to its parser, which is told the method (a HEAD answer has no body: bytes after its head
 * are a parse error, as is anything after a complete answer that is not a next answer).
 */
export class StrictConnection {
  readonly #socket: Socket;
  #closed = false;
  #feed: Duplex | undefined;
  /** Bytes that arrived while no answer was awaited: each belongs to no request, so a violation. */
  #stray = 0;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => {
      if (this.#feed) this.#feed.push(chunk);
      else this.#stray += chunk.length;
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.#closed = true;
      this.#feed?.push(null);
    });
  }

  /** Connects to `127.0.0.1:port`. */
  static open(port: number): Promise<StrictConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => resolve(new StrictConnection(socket)));
      socket.once("error", reject);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends `bytes` (one request, as raw as wanted) and reads one answer, as the reply to `method`.
   * Waits `settleMs` after the answer for bytes that should not be there (a HEAD body, junk).
   */
  exchange(bytes: Buffer | string, method: string, settleMs = 20): Promise<Exchange> {
    if (this.#closed) return Promise.resolve({ ok: false, problem: "the connection is already closed" });
    if (this.#stray > 0)
      return Promise.resolve({ ok: false, problem: `${this.#stray} stray bytes before the request` });
    const feed = new Duplex({
      read() {},
      write(_chunk, _encoding, callback) {
        callback();
      },
    });
    this.#feed = feed;
    return new Promise<Exchange>((resolve) => {
      let settled = false;
      const finish = (result: Exchange) => {
        if (settled) return;
        settled = true;
        this.#feed = undefined;
        resolve(result);
      };
      const client = httpRequest({
        method: method === "HEAD" ? "HEAD" : "GET",
        path: "/",
        host: "emulator.invalid",
        insecureHTTPParser: false,
        createConnection: () => feed,
      });
      client.on("error", (error: Error & { code?: string }) =>
        finish({ ok: false, problem: `not valid HTTP: ${error.code ?? ""} ${error.message}` }),
      );
      client.on("response", (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", (error) => finish({ ok: false, problem: `answer cut off: ${error.message}` }));
        response.on("end", () => {
          const answer = {
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          };
          // Anything more on the wire now is a second answer nobody asked for, or a HEAD body.
          setTimeout(() => {
            const extra = this.#stray;
            this.#stray = 0;
            if (extra > 0) finish({ ok: false, problem: `${extra} bytes after a complete ${method} answer` });
            else finish({ ok: true, answer, closed: this.#closed });
          }, settleMs);
          this.#feed = undefined;
        });
      });
      client.end();
      this.#socket.write(bytes);
    });
  }

  close(): void {
    this.#socket.destroy();
  }
}
