import { scrubDeep } from "@psapi/core";
import type { MiddlewareHandler } from "hono";
import type { EmulatorEnv } from "../context.js";
import { OBJECTS_PATH } from "../storage/signing.js";

/**
 * Hides the emulator's secrets by value in the answers of the control API and the inspector (JSON,
 * HTML, text) to GET: the journal, job and token views show what clients sent, wherever they put
 * a secret. Answers that issue a credential (a POST) are left whole. Stored objects, images and
 * event streams pass untouched; these routes are not the hot path.
 *
 * @param scrub - the emulator's redactor by value (`EmulatorContext.scrub`).
 */
export function createAnswerScrubber(
  scrub: (text: string) => string,
  options: { anyMethod?: boolean } = {},
): MiddlewareHandler<EmulatorEnv> {
  return async function scrubAnswer(c, next) {
    await next();
    // Only what shows what was kept: a POST that issues a credential (a code) must hand it out.
    // The API's answers (`anyMethod`) never issue one: every answer of theirs is scrubbed.
    if ((c.req.method !== "GET" && !options.anyMethod) || c.req.path.startsWith(OBJECTS_PATH)) return;
    // No body to scrub (and a Response of these statuses must not be given one).
    if (c.req.method === "HEAD" || c.res.body === null || c.res.status === 204 || c.res.status === 304)
      return;
    const type = c.res.headers.get("content-type") ?? "";
    if (!/json|html|text\/plain|xml/i.test(type) || type.startsWith("text/event-stream")) return;
    const text = await c.res.text();
    const headers = new Headers(c.res.headers);
    headers.delete("content-length");
    c.res = new Response(scrub(text), { status: c.res.status, statusText: c.res.statusText, headers });
  };
}

/**
 * Hides the emulator's secrets by value in an API request's JSON body before any handler reads it,
 * so that no job, manifest, output or later answer holds one: a client secret or issued token put in
 * a field (a layer's name, a text layer's content, an input URL) is stored and rendered as
 * `[REDACTED]`. Bodies without a secret pass as sent. Mount after the body limit.
 *
 * @param scrub - the emulator's redactor by value (`EmulatorContext.scrub`).
 */
export function createRequestScrubber(scrub: (text: string) => string): MiddlewareHandler<EmulatorEnv> {
  return async function scrubRequest(c, next) {
    const type = c.req.header("content-type") ?? "";
    if (c.req.method === "GET" || c.req.method === "HEAD" || !/json/i.test(type)) return next();
    const text = await c.req.text();
    // A JSON escape (`\u0073…`) can spell a secret the text scan does not see: parse then.
    if (scrub(text) !== text || text.includes("\\u")) {
      let clean: string;
      try {
        const parsed: unknown = JSON.parse(text);
        const scrubbed = scrubDeep(parsed, scrub);
        clean = JSON.stringify(scrubbed) === JSON.stringify(parsed) ? text : JSON.stringify(scrubbed);
      } catch {
        clean = scrub(text); // not JSON: the handler refuses it; the refusal must not hold a secret
      }
      // Hono reads every later `c.req.text()`/`json()` from this cache, which holds promises of the
      // bodies at run time (its type says otherwise).
      c.req.bodyCache = { text: Promise.resolve(clean) } as unknown as typeof c.req.bodyCache;
    }
    return next();
  };
}
