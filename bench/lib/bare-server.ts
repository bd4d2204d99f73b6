// The machine's limit: a bare node:http server that answers recorded responses byte for byte
// (status, headers, body) with no routing framework, no auth and no journal. Started as a child
// process: `node --import tsx lib/bare-server.ts <fixtures.json>`; prints `listening <port>`.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

/** One recorded response, keyed by method and exact path. */
export interface Fixture {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  /** Base64 of the body bytes. */
  readonly body: string;
}

const fixturesPath = process.argv[2];
if (!fixturesPath) throw new Error("usage: bare-server.ts <fixtures.json>");
const fixtures = JSON.parse(readFileSync(fixturesPath, "utf8")) as Fixture[];

// Precompute everything so a request costs one map lookup and one write.
const answers = new Map(
  fixtures.map((fixture) => {
    const body = Buffer.from(fixture.body, "base64");
    const headers = [...fixture.headers.flat(), "content-length", String(body.length)];
    return [`${fixture.method} ${fixture.path}`, { status: fixture.status, headers, body }];
  }),
);

const server = createServer((request, response) => {
  const answer = answers.get(`${request.method} ${request.url}`);
  if (!answer) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(answer.status, answer.headers).end(answer.body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening ${typeof address === "object" && address ? address.port : 0}`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
