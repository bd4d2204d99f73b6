// An in-process fake of Adobe's IMS and Photoshop API on 127.0.0.1 that counts what it receives.
// The bench asserts on these counts (token single flight), so every request is tallied by route.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Requests received so far, by kind. */
export interface FakeAdobeCounts {
  ims: number;
  api: number;
  other: number;
}

/** A running fake. */
export interface FakeAdobe {
  readonly origin: string;
  readonly counts: FakeAdobeCounts;
  reset(): void;
  close(): Promise<void>;
}

/** Options for {@link startFakeAdobe}. */
export interface FakeAdobeOptions {
  /**
   * How long IMS takes to answer. A real IMS takes 100–300 ms; any delay longer than the time to
   * issue all concurrent calls makes them overlap, which is what single flight is about.
   */
  readonly imsDelayMs?: number;
}

/** Starts the fake on 127.0.0.1, port 0. */
export async function startFakeAdobe(options: FakeAdobeOptions = {}): Promise<FakeAdobe> {
  const counts: FakeAdobeCounts = { ims: 0, api: 0, other: 0 };
  const delay = options.imsDelayMs ?? 100;
  const server = createServer((request, response) => {
    void route(request, response);
  });
  let tokens = 0;
  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    for await (const _ of request) {
      // drain the body: the fake answers the same whatever the form says
    }
    const path = request.url ?? "";
    if (request.method === "POST" && path === "/ims/token/v3") {
      counts.ims += 1;
      tokens += 1;
      await new Promise((resolve) => setTimeout(resolve, delay));
      json(response, 200, { access_token: `fake-token-${tokens}`, token_type: "bearer", expires_in: 86399 });
      return;
    }
    if (request.method === "GET" && path === "/pie/psdService/hello") {
      counts.api += 1;
      response
        .writeHead(200, { "content-type": "text/plain; charset=UTF-8" })
        .end("Welcome to the Photoshop API!");
      return;
    }
    if (request.method === "POST" && path === "/sensei/mask") {
      counts.api += 1;
      json(response, 202, {
        _links: { self: { href: `http://${request.headers.host}/sensei/status/fake-job` } },
      });
      return;
    }
    if (request.method === "GET" && path === "/sensei/status/fake-job") {
      counts.api += 1;
      json(response, 200, { jobId: "fake-job", status: "succeeded", _links: { self: { href: path } } });
      return;
    }
    counts.other += 1;
    json(response, 404, { type: "ResourceNotFound", code: 404, title: "Not found" });
  }
  // 1000 clients connect at once: the default backlog (511) would reset some of them.
  await new Promise<void>((resolve) => server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    counts,
    reset: () => {
      counts.ims = 0;
      counts.api = 0;
      counts.other = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
