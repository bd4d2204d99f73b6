import { inspect } from "node:util";
import { createServerToServerAuth, createStaticTokenAuth, ImsError } from "@psapi/auth";
import {
  createPhotoshopClient,
  DEFAULT_RETRY,
  JobFailedError,
  JobTimeoutError,
  PhotoshopApiError,
} from "@psapi/client/all";
import { createFakeClock } from "@psapi/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

/** The suite's virtual clock: time moves only when nothing but time can make progress. */
const virtualClock = () => createFakeClock({ start: Date.UTC(2026, 0, 1), autoAdvance: true });

const SEED = Number(process.env.PSAPI_FUZZ_SEED ?? 20_261_205);
/** Runs per property; `PSAPI_FUZZ_RUNS` raises it for a long run. */
const RUNS = Number(process.env.PSAPI_FUZZ_RUNS ?? 200);
const TOKEN = "tok-7f3a9c-never-in-an-error";
const SECRET = "secret-5b1d-never-in-an-error";
const ORIGIN = "https://api.example.test";
const TIMEOUT_MS = 5_000;
/**
 * Only a hang detector, in real time: on the virtual clock every wait of a call (back-offs, the
 * request timeout) costs no real time, so a call settles in milliseconds; one that has not settled
 * after this long is waiting on something no clock will ever end.
 */
const HANG_MS = 10_000;

/** How the fake server ends one exchange. */
type Ending =
  | { kind: "answer"; status: number; headers: [string, string][]; body: BodyShape }
  | { kind: "network-error" }
  | { kind: "never-answers" };
type BodyShape =
  | { kind: "json"; value: unknown }
  | { kind: "text"; text: string }
  | { kind: "truncated-json"; text: string }
  | { kind: "never-ends"; first: string }
  | { kind: "errors-midway"; first: string }
  | { kind: "empty" };

const retryAfter = fc.oneof(
  fc.integer({ min: -5, max: 100_000_000 }).map(String),
  fc.constantFrom(
    "",
    "NaN",
    "1e400",
    "-0",
    "0.5",
    "Infinity",
    "soon",
    "Wed, 21 Oct 2015 07:28:00 GMT",
    "Fri, 01 Jan 2100 00:00:00 GMT",
  ),
  fc.date({ noInvalidDate: true }).map((date) => date.toUTCString()),
);

const errorLike = fc.oneof(
  fc.record(
    {
      type: fc.string(),
      code: fc.oneof(fc.integer(), fc.string()),
      title: fc.string(),
      details: fc.anything({ maxDepth: 2 }),
    },
    { requiredKeys: [] },
  ),
  fc.record({ error_code: fc.string(), message: fc.string() }, { requiredKeys: [] }),
  fc.record(
    { status: fc.constantFrom("pending", "running", "succeeded", "failed", "weird"), jobId: fc.string() },
    { requiredKeys: [] },
  ),
  // A server that echoes the token back in its error body: the client must scrub it (found here
  // once; see the regression test below).
  fc.record({
    type: fc.string(),
    title: fc.string(),
    details: fc.constant([{ name: "token", reason: TOKEN }]),
  }),
  fc.anything({ maxDepth: 3 }),
);

const body: fc.Arbitrary<BodyShape> = fc.oneof(
  errorLike.map((value) => ({ kind: "json" as const, value })),
  fc.string({ maxLength: 200 }).map((text) => ({ kind: "text" as const, text })),
  errorLike.map((value) => {
    const text = JSON.stringify(value) ?? "null";
    return { kind: "truncated-json" as const, text: text.slice(0, Math.floor(text.length / 2)) };
  }),
  fc.string({ maxLength: 20 }).map((first) => ({ kind: "never-ends" as const, first })),
  fc.string({ maxLength: 20 }).map((first) => ({ kind: "errors-midway" as const, first })),
  fc.constant({ kind: "empty" as const }),
);

const ending: fc.Arbitrary<Ending> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("answer" as const),
      status: fc.oneof(
        fc.constantFrom(200, 202, 204, 301, 302, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504),
        fc.integer({ min: 200, max: 599 }),
      ),
      headers: fc.array(
        fc.oneof(
          retryAfter.map((value): [string, string] => ["retry-after", value]),
          fc.constantFrom<[string, string]>(
            ["content-type", "application/json"],
            ["content-type", "text/html"],
            ["content-type", "application/problem+json"],
            ["location", "https://evil.example/steal"],
            ["www-authenticate", 'Bearer error="invalid_token"'],
            ["content-length", "999999"],
          ),
        ),
        { maxLength: 3 },
      ),
      body,
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "network-error" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "never-answers" as const }) },
);

/** A fetch that plays the endings in turn (the last one again once they run out). */
function scriptedFetch(endings: readonly Ending[]) {
  let index = 0;
  const sent: Request[] = [];
  const fetch = (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    sent.push(request);
    const next = endings[Math.min(index++, endings.length - 1)] ?? { kind: "network-error" as const };
    if (next.kind === "network-error")
      return Promise.reject(new TypeError("fetch failed", { cause: new Error("ECONNRESET") }));
    if (next.kind === "never-answers") {
      return new Promise((_resolve, reject) => {
        request.signal.addEventListener("abort", () => reject(request.signal.reason), { once: true });
      });
    }
    const headers = new Headers();
    for (const [name, value] of next.headers) {
      try {
        headers.append(name, value);
      } catch {
        // A value Headers refuses is one no server could send either.
      }
    }
    const status = next.status;
    const nullBody = status === 204 || status === 205 || status === 304;
    return Promise.resolve(
      new Response(nullBody ? null : bodyOf(next.body, request.signal), { status, headers }),
    );
  };
  return { fetch, sent };
}

function bodyOf(shape: BodyShape, signal: AbortSignal): BodyInit | null {
  switch (shape.kind) {
    case "json":
      return JSON.stringify(shape.value) ?? "null";
    case "text":
    case "truncated-json":
      return shape.text;
    case "empty":
      return "";
    case "never-ends":
      return new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(shape.first));
          signal.addEventListener("abort", () => controller.error(signal.reason), { once: true });
        },
      });
    case "errors-midway":
      return new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(shape.first));
          queueMicrotask(() => controller.error(new TypeError("terminated")));
        },
      });
  }
}

/** Settles the promise or says it hung. */
async function outcomeOrHang<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown; hung?: true }> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<{ hung: true }>((resolve) => {
    timer = setTimeout(() => resolve({ hung: true }), HANG_MS);
  });
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
      hang,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const DOCUMENTED = [PhotoshopApiError, JobFailedError, JobTimeoutError, ImsError];

function leaks(error: unknown, secrets: readonly string[]): string[] {
  const shown = [
    String(error),
    error instanceof Error ? (error.stack ?? "") : "",
    JSON.stringify(error) ?? "",
    inspect(error, { depth: 6 }),
  ].join("\n");
  return secrets.filter((secret) => shown.includes(secret));
}

describe("client properties", () => {
  it("settles within its budget, rejects only with its documented errors and never shows the token, whatever the server answers", {
    timeout: 600_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(ending, { minLength: 1, maxLength: 6 }),
        fc.constantFrom("hello", "getMaskStatus", "createMask", "waitForJob"),
        async (endings, call) => {
          const clock = virtualClock();
          const { fetch } = scriptedFetch(endings);
          const client = createPhotoshopClient({
            auth: createStaticTokenAuth({ accessToken: TOKEN, clientId: "client-id" }),
            baseUrl: ORIGIN,
            fetch,
            clock: clock.view("client"),
            random: () => 0.5,
            timeoutMs: TIMEOUT_MS,
          });
          const started = clock.now();
          const run = async (): Promise<unknown> => {
            switch (call) {
              case "hello":
                return client.hello();
              case "getMaskStatus":
                return client.getMaskStatus("00000000-0000-4000-8000-000000000000");
              case "createMask":
                return client.createMask({
                  input: { href: "https://in.example/a.png?sig=SIG", storage: "external" },
                  output: { href: "https://out.example/b.png?sig=SIG", storage: "external" },
                });
              case "waitForJob":
                return client.waitForJob(`${ORIGIN}/sensei/status/00000000-0000-4000-8000-000000000000`, {
                  timeoutMs: 60_000,
                });
            }
          };
          const outcome = await outcomeOrHang(run());
          expect(outcome.hung, `${call} did not settle`).toBeUndefined();
          // One call: no retry starts past the retry budget, and the last attempt ends within its
          // timeout; a wait ends by its own timeoutMs plus one poll's worth of the same.
          const limit = (call === "waitForJob" ? 60_000 : 0) + DEFAULT_RETRY.budgetMs + TIMEOUT_MS;
          expect(
            clock.now() - started,
            `${call} took ${clock.now() - started} ms of virtual time`,
          ).toBeLessThanOrEqual(limit);
          if ("error" in outcome) {
            expect(
              DOCUMENTED.some((type) => outcome.error instanceof type),
              `${call} rejected with ${inspect(outcome.error)}`,
            ).toBe(true);
            expect(leaks(outcome.error, [TOKEN, "sig=SIG"])).toEqual([]);
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe("client: regressions found by the property above", () => {
  it("rejects a 200 whose body is not JSON with PhotoshopApiError, not a SyntaxError", async () => {
    const client = createPhotoshopClient({
      auth: createStaticTokenAuth({ accessToken: TOKEN, clientId: "client-id" }),
      baseUrl: ORIGIN,
      fetch: async () => new Response(" ", { status: 200 }),
      clock: virtualClock().view("client"),
    });
    await expect(client.getMaskStatus("00000000-0000-4000-8000-000000000000")).rejects.toBeInstanceOf(
      PhotoshopApiError,
    );
  });

  // A server that echoes the token into its error body (`details`) must not get it onto
  // `PhotoshopApiError.details`, which logging the error prints.
  it("keeps the token out of the error when the server echoes it in its error body", async () => {
    const client = createPhotoshopClient({
      auth: createStaticTokenAuth({ accessToken: TOKEN, clientId: "client-id" }),
      baseUrl: ORIGIN,
      fetch: async () =>
        Response.json(
          { type: "Echo", title: "x", details: [{ name: "token", reason: TOKEN }] },
          { status: 400 },
        ),
      clock: virtualClock().view("client"),
    });
    const error = await client.hello().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PhotoshopApiError);
    expect(leaks(error, [TOKEN])).toEqual([]);
  });
});

describe("client: the token scrub", () => {
  /** Tokens a test would use ("1", "t"), ones that are JSON structure, and random ones up to 40 characters. */
  const token = fc.oneof(
    fc.constantFrom("1", "0", "t", "e", "true", "null", '"', "\\", ":", ",", "{", "status", "running"),
    fc.string({
      unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)),
      minLength: 1,
      maxLength: 40,
    }),
  );
  /** The client's rule: a token of 16 characters or more is replaced in strings and property names. */
  const scrubbed = (value: unknown, secret: string): unknown => {
    if (secret.length < 16) return value;
    if (typeof value === "string") return value.replaceAll(secret, "[REDACTED]");
    if (Array.isArray(value)) return value.map((item) => scrubbed(item, secret));
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key.replaceAll(secret, "[REDACTED]"),
        scrubbed(item, secret),
      ]),
    );
  };

  // A raw replace of the token over the body's text turned a token "1" into status 0 "a body that is
  // not JSON" on every call, and renamed keys for "t".
  it("hands the caller the JSON the server sent, with only a real token's echo replaced, whatever the token", async () => {
    await fc.assert(
      fc.asyncProperty(
        token,
        fc.jsonValue({ maxDepth: 3 }),
        fc.boolean(),
        async (accessToken, extra, echo) => {
          const body = {
            jobId: "job",
            status: "running",
            extra,
            ...(echo && { details: [{ reason: `got ${accessToken}` }] }),
          };
          const sent: unknown = JSON.parse(JSON.stringify(body));
          const client = createPhotoshopClient({
            auth: createStaticTokenAuth({ accessToken, clientId: "client-id" }),
            baseUrl: ORIGIN,
            fetch: async () => new Response(JSON.stringify(body), { status: 200 }),
            clock: virtualClock().view("client"),
          });
          expect(await client.getMaskStatus("job")).toEqual(scrubbed(sent, accessToken));
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe("auth properties", () => {
  const imsAnswer = fc.record({
    status: fc.oneof(
      fc.constant(200),
      fc.constant(200),
      fc.constantFrom(400, 401, 429, 500, 503),
      fc.integer({ min: 200, max: 599 }),
    ),
    accessToken: fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), fc.constantFrom("", " ", "a\u0000b")),
    expiresIn: fc.oneof(
      fc.integer({ min: -100, max: 200_000 }),
      fc.constantFrom<unknown>(
        0,
        1,
        1.5,
        "3600",
        null,
        undefined,
        Number.MAX_SAFE_INTEGER,
        1e300,
        -0,
        "NaN",
        true,
        {},
      ),
    ),
    tokenType: fc.constantFrom<unknown>("bearer", "Bearer", "mac", undefined, 5),
    retryAfter: fc.option(retryAfter),
    mangled: fc.constantFrom<"no" | "truncated" | "html">("no", "no", "no", "truncated", "html"),
  });

  it("never serves an expired token, nor one that lives longer than IMS said, whatever IMS answers", {
    timeout: 600_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(imsAnswer, { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 100_000_000 }), { minLength: 1, maxLength: 8 }),
        async (answers, gaps) => {
          const clock = virtualClock();
          const issued = new Map<string, { at: number; expiresIn: number }>();
          let index = 0;
          const fetch = async (input: Request | string | URL, init?: RequestInit) => {
            const request = new Request(input, init);
            const answer = answers[Math.min(index++, answers.length - 1)];
            if (!answer) throw new TypeError("fetch failed");
            const json = JSON.stringify({
              access_token: answer.accessToken,
              expires_in: answer.expiresIn,
              token_type: answer.tokenType,
            });
            // A numeric string is read as its number (lenient, as the auth documents).
            const lifetime =
              typeof answer.expiresIn === "string" && /^\d+$/.test(answer.expiresIn)
                ? Number(answer.expiresIn)
                : answer.expiresIn;
            if (answer.status >= 200 && answer.status < 300 && typeof lifetime === "number") {
              issued.set(answer.accessToken, { at: clock.now(), expiresIn: lifetime });
            }
            void request;
            const text =
              answer.mangled === "truncated"
                ? json.slice(0, 10)
                : answer.mangled === "html"
                  ? "<html>busy</html>"
                  : json;
            const headers: Record<string, string> = {
              "content-type": answer.mangled === "html" ? "text/html" : "application/json",
            };
            if (answer.retryAfter !== null) headers["retry-after"] = answer.retryAfter;
            return new Response(text, { status: answer.status, headers });
          };
          const auth = createServerToServerAuth({
            clientId: "client-id",
            clientSecret: SECRET,
            imsUrl: "https://ims.example.test",
            fetch,
            clock: clock.view("auth"),
            random: () => 0.5,
          });
          const pause = clock.view("test");
          for (const gap of gaps) {
            const outcome = await outcomeOrHang(auth.getToken());
            expect(outcome.hung, "getToken did not settle").toBeUndefined();
            if ("error" in outcome) {
              expect(outcome.error, inspect(outcome.error)).toBeInstanceOf(ImsError);
              expect(leaks(outcome.error, [SECRET])).toEqual([]);
            } else if (outcome.value) {
              const token = outcome.value;
              const source = issued.get(token.accessToken);
              expect(
                source,
                `a token IMS never issued with a numeric lifetime: ${token.accessToken}`,
              ).toBeDefined();
              expect(token.expiresAt, "served expired").toBeGreaterThan(clock.now());
              if (source)
                expect(token.expiresAt).toBeLessThanOrEqual(source.at + source.expiresIn * 1000 + 1);
            }
            await pause.sleep(gap);
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
