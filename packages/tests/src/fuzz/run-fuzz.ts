import { createEmulatorControl, type EmulatorControl } from "@psapi/mock-server/control";
import fc from "fast-check";
import type { ConformanceChecker } from "../conformance/checker.js";
import { type Credential, type FuzzRequest, requestArbitrary } from "./request-arbitrary.js";
import type { FuzzOperation } from "./spec-operations.js";

/** What the fuzzer sends requests to: an emulator app's `fetch` (in-process) or a real server's. */
export type FuzzFetch = (request: Request) => Promise<Response>;

/** Two configured clients: the fuzz speaks as the first; the second's secrets must never show. */
export interface FuzzClients {
  readonly main: { readonly clientId: string; readonly clientSecret: string };
  readonly other: { readonly clientId: string; readonly clientSecret: string };
}

/** Options of {@link fuzzEmulator}. */
export interface FuzzOptions {
  readonly fetch: FuzzFetch;
  /** Origin the requests are addressed to, e.g. `http://127.0.0.1:4010`. */
  readonly origin: string;
  readonly operations: readonly FuzzOperation[];
  readonly checker: ConformanceChecker;
  readonly clients: FuzzClients;
  /** Secrets the emulator holds that no answer may show: its signing key, for one. */
  readonly serverSecrets: readonly string[];
  readonly seed: number;
  readonly requests: number;
  /**
   * The longest one request may take before it counts as a hang. A real-clock bound, but only a
   * hang detector: an answer takes milliseconds, so it is set far above anything a loaded machine needs.
   */
  readonly hangMs?: number;
}

/** One way an answer broke the rules. */
export interface FuzzFinding {
  readonly problem: string;
  readonly operation: string;
  readonly request: string;
  readonly mutations: readonly string[];
}

/** What a fuzz run did and found. */
export interface FuzzReport {
  readonly requests: number;
  /** Requests `fetch` itself refuses to build (a forbidden method or header): sent raw elsewhere. */
  readonly unsendable: number;
  readonly statuses: ReadonlyMap<number, number>;
  /** Findings, one per operation and kind of problem (the first request that showed it). */
  readonly findings: readonly FuzzFinding[];
  /** How many requests showed a problem, before grouping. */
  readonly failures: number;
}

const TOKEN_FORM = (clientId: string, clientSecret: string) =>
  new URLSearchParams({
    grant_type: "client_credentials",
    client_id: clientId,
    client_secret: clientSecret,
    scope: "openid,AdobeID,read_organizations",
  });

/** Keeps the credentials the generated requests refer to, renewing them when the fuzz spoils them. */
class Credentials {
  readonly values = new Map<Credential, string>();
  /** Every credential ever handed out, with the client it belongs to, newest last. */
  readonly secrets: { value: string; owner: string }[] = [];

  private readonly control: EmulatorControl;

  constructor(
    private readonly fetch: FuzzFetch,
    private readonly origin: string,
    private readonly clients: FuzzClients,
  ) {
    this.control = createEmulatorControl({ baseUrl: origin, fetch });
    const { main, other } = clients;
    this.values.set("apiKey", main.clientId);
    this.values.set("otherApiKey", other.clientId);
    this.values.set("clientId", main.clientId);
    this.values.set("clientSecret", main.clientSecret);
    this.values.set("otherClientSecret", other.clientSecret);
    this.secrets.push({ value: main.clientSecret, owner: main.clientId });
    this.secrets.push({ value: other.clientSecret, owner: other.clientId });
  }

  private async call(path: string, init: RequestInit): Promise<Response> {
    const response = await this.fetch(new Request(`${this.origin}${path}`, init));
    if (!response.ok)
      throw new Error(`fuzz setup: ${path} answered ${response.status}: ${await response.text()}`);
    return response;
  }

  private async token(client: { clientId: string; clientSecret: string }): Promise<string> {
    const response = await this.call("/ims/token/v3", {
      method: "POST",
      body: TOKEN_FORM(client.clientId, client.clientSecret),
    });
    const { access_token } = (await response.json()) as { access_token: string };
    this.secrets.push({ value: access_token, owner: client.clientId });
    // Old tokens of a reset emulator are worthless; keep the list short, the check runs per answer.
    if (this.secrets.length > 40) this.secrets.splice(2, 1);
    return access_token;
  }

  /** Mints an expired and a revoked token, then valid ones for both clients. */
  async setUp(): Promise<void> {
    this.values.set("expiredToken", await this.token(this.clients.main));
    await this.control.advanceClock(86_400_000);
    const revoked = await this.token(this.clients.main);
    this.values.set("revokedToken", revoked);
    await this.control.revokeTokens({ token: revoked });
    await this.restore();
  }

  /** After a fuzzed control request: no fault rule left behind, and valid tokens again. */
  async restore(): Promise<void> {
    await this.control.clearFaults();
    this.values.set("token", await this.token(this.clients.main));
    this.values.set("otherToken", await this.token(this.clients.other));
  }

  fill(text: string): string {
    return text.replace(
      /\{\{(\w+)\}\}/g,
      (whole, name: string) => this.values.get(name as Credential) ?? whole,
    );
  }
}

/** Paths no operation declares, in the shapes a client gets wrong. */
const strayRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"),
    target: fc.oneof(
      fc.constantFrom(
        "/",
        "/nope",
        "/sensei",
        "/sensei/",
        "/pie/psdService",
        "/ims",
        "/__emulator",
        "/__emulator/",
        "/__emulator/storage/objects",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/sensei/%2E%2E/ims/token/v3",
        "/sensei/status/",
        `/${"a/".repeat(2_000)}`,
        "/favicon.ico",
        "/?__proto__[x]=1",
      ),
      fc.webPath().filter((path) => path.startsWith("/")),
    ),
  })
  .map(({ method, target }) => ({
    method,
    target,
    headers: [],
    body: undefined,
    faultInjected: false,
    faultHeaderInvalid: false,
    mutations: ["a path no operation declares"],
    operation: "(none)",
  }));

/**
 * Sends `requests` seeded requests generated from the spec's operations (see `requestArbitrary`) and
 * holds every answer to the rules: an answer at all (no dropped connection, no hang), no status of
 * 500 or more unless the request asked for a fault, the spec's status, headers and body for the
 * route (through the conformance checker), 405 with `Allow` for a declared path with a method it
 * does not take, and no secret in the answer that the request did not carry itself.
 *
 * @param options See {@link FuzzOptions}.
 * @returns Counts and the findings, one per operation and kind of problem.
 * @example
 * const report = await fuzzEmulator({ fetch: app.fetch, origin, operations, checker, clients, serverSecrets: [key], seed: 1, requests: 1000 });
 */
export async function fuzzEmulator(options: FuzzOptions): Promise<FuzzReport> {
  const { checker, origin } = options;
  const hangMs = options.hangMs ?? 30_000;
  const credentials = new Credentials(options.fetch, origin, options.clients);
  await credentials.setUp();
  const allowed = declaredPaths(options.operations);
  const statuses = new Map<number, number>();
  const findings = new Map<string, FuzzFinding>();
  let unsendable = 0;
  let failures = 0;
  let sent = 0;

  const arbitrary = fc.oneof(
    { weight: 12, arbitrary: fc.oneof(...options.operations.map(requestArbitrary)) },
    { weight: 1, arbitrary: strayRequest },
  );

  const clientSecrets = new Set([options.clients.main.clientSecret, options.clients.other.clientSecret]);
  const isClientSecret = (value: string) => clientSecrets.has(value);

  async function one(generated: FuzzRequest): Promise<void> {
    const target = credentials.fill(generated.target);
    const headers = generated.headers.map(
      ([name, value]) => [name, credentials.fill(value)] as [string, string],
    );
    const body =
      generated.method === "GET" || generated.method === "HEAD"
        ? undefined
        : typeof generated.body === "string"
          ? credentials.fill(generated.body)
          : generated.body;
    let request: Request;
    try {
      request = new Request(`${origin}${target}`, {
        method: generated.method,
        headers,
        body: body as BodyInit | undefined,
      });
    } catch {
      unsendable += 1;
      return;
    }
    sent += 1;
    const problems: string[] = [];
    const carried = `${target}\n${headers.map(([name, value]) => `${name}: ${value}`).join("\n")}\n${typeof body === "string" ? body : ""}`;
    let timer: NodeJS.Timeout | undefined;
    const response = await Promise.race([
      options.fetch(request),
      new Promise<"hang">((resolve) => {
        timer = setTimeout(() => resolve("hang"), hangMs);
      }),
    ])
      .catch((error: unknown) => error as Error)
      .finally(() => clearTimeout(timer));
    if (response === "hang") problems.push(`no answer within ${hangMs} ms`);
    else if (response instanceof Error) {
      if (!generated.faultInjected) problems.push(`connection dropped: ${response.message}`);
    } else if (response.headers.get("content-type")?.startsWith("text/event-stream")) {
      // An event stream (the inspector's GET /__emulator/events) does not end: its status counts,
      // its body is let go instead of read whole, which also closes it on the emulator's side.
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      await response.body?.cancel();
    } else {
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const faulted = generated.faultInjected && (response.status >= 429 || response.status === 200);
      if (response.status >= 500 && !generated.faultInjected) problems.push(`status ${response.status}`);
      const text = generated.method === "HEAD" ? "" : await response.clone().text();
      const refusedFault = generated.faultHeaderInvalid && response.status === 400;
      if (!faulted && !refusedFault)
        problems.push(...(await conformance(request, response, allowed, checker)));
      const shown = `${[...response.headers].map(([name, value]) => `${name}: ${value}`).join("\n")}\n${text}`;
      for (const secret of [
        ...credentials.secrets,
        ...options.serverSecrets.map((value) => ({ value, owner: "" })),
      ]) {
        if (!shown.includes(secret.value)) continue;
        // A client secret never shows, even one the request carried (in whatever field).
        if (isClientSecret(secret.value)) {
          problems.push(`shows a client secret (of ${secret.owner})`);
          continue;
        }
        if (carried.includes(secret.value)) continue;
        // A request with a client's secret may be given that client's tokens (the token endpoint).
        const entitled = credentials.secrets.some(
          (held) => held.owner === secret.owner && held.owner !== "" && carried.includes(held.value),
        );
        if (!entitled)
          problems.push(`discloses a secret the request did not carry (of ${secret.owner || "the server"})`);
      }
    }
    if (problems.length > 0) {
      failures += problems.length;
      for (const problem of problems) {
        const key = `${generated.operation} ${problem.slice(0, 80)}`;
        if (!findings.has(key)) {
          findings.set(key, {
            problem,
            operation: generated.operation,
            request: `${generated.method} ${generated.target.slice(0, 160)}`,
            mutations: generated.mutations,
          });
        }
      }
    }
    const path = target.split("?")[0] ?? "";
    if (path.startsWith("/__emulator/") && !path.startsWith("/__emulator/storage/"))
      await credentials.restore();
  }

  await fc.assert(
    fc.asyncProperty(arbitrary, async (generated) => {
      await one(generated);
    }),
    { seed: options.seed, numRuns: options.requests, endOnFailure: true },
  );
  return { requests: sent, unsendable, statuses, findings: [...findings.values()], failures };
}

/** A declared path: its matcher, the methods it takes, and whether any of them needs credentials. */
interface DeclaredPath {
  readonly regex: RegExp;
  readonly methods: Set<string>;
  readonly secured: boolean;
}

function declaredPaths(operations: readonly FuzzOperation[]): DeclaredPath[] {
  const byTemplate = new Map<string, { methods: Set<string>; secured: boolean }>();
  for (const operation of operations) {
    const entry = byTemplate.get(operation.template) ?? { methods: new Set<string>(), secured: false };
    entry.methods.add(operation.method);
    entry.secured ||= operation.security.length > 0;
    byTemplate.set(operation.template, entry);
  }
  return [...byTemplate].map(([template, { methods, secured }]) => ({
    regex: new RegExp(
      `^${template
        .split(/(\{[^}]+\})/)
        .map((part) => (/^\{[^}]+\}$/.test(part) ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
        .join("")}$`,
    ),
    methods,
    secured,
  }));
}

/**
 * What the spec says about one answer: the conformance checker for a declared operation; for a
 * declared path with an undeclared method, 405 with an `Allow` header naming the declared ones; for
 * a path the spec does not declare, 404 with a JSON body.
 */
async function conformance(
  request: Request,
  response: Response,
  allowed: readonly DeclaredPath[],
  checker: ConformanceChecker,
): Promise<string[]> {
  if (checker.match(request.method, request.url)) {
    const violations = await checker.check({ method: request.method, url: request.url }, response.clone());
    return violations.map((violation) => `spec: ${violation.problem}`);
  }
  const path = new URL(request.url).pathname;
  const declared = allowed.find((route) => route.regex.test(path));
  const contentType = response.headers.get("content-type") ?? "";
  const problems: string[] = [];
  if (request.method === "HEAD" && declared?.methods.has("GET")) {
    // HEAD is GET without the body (RFC 9110 §9.3.2), whether or not the spec lists it.
    if ((await response.clone().text()) !== "") problems.push("HEAD answered with a body");
    return problems;
  }
  if (declared) {
    // The gateway refuses bad credentials before it looks at the method (401/403 on a secured path).
    if (declared.secured && (response.status === 401 || response.status === 403)) return problems;
    if (response.status !== 405)
      problems.push(
        `${request.method} on a path that takes ${[...declared.methods].join(", ")}: ${response.status}, not 405`,
      );
    else {
      const allow = new Set((response.headers.get("allow") ?? "").split(/\s*,\s*/).filter(Boolean));
      const expected = new Set([...declared.methods, ...(declared.methods.has("GET") ? ["HEAD"] : [])]);
      if ([...expected].some((method) => !allow.has(method)) || allow.size !== expected.size)
        problems.push(
          `405 with Allow "${response.headers.get("allow") ?? ""}", not ${[...expected].join(", ")}`,
        );
    }
  } else if (response.status < 400 || response.status >= 500) {
    // No operation: the gateway may refuse the credentials first (401/403), else it is not found.
    problems.push(`a path no operation declares answered ${response.status}`);
  }
  // The error body in the family's shape: S3-style XML under storage, JSON everywhere else.
  const family = path.startsWith("/__emulator/storage/objects") ? "application/xml" : "application/json";
  if (request.method !== "HEAD" && !contentType.startsWith(family))
    problems.push(`error without a ${family} body (content-type "${contentType}")`);
  return problems;
}
