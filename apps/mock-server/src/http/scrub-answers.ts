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
export function createAnswerScrubber(scrub: (text: string) => string): MiddlewareHandler<EmulatorEnv> {
  return async function scrubAnswer(c, next) {
    await next();
    // Only what shows what was kept: a POST that issues a credential (a code) must hand it out.
    if (c.req.method !== "GET" || c.req.path.startsWith(OBJECTS_PATH)) return;
    const type = c.res.headers.get("content-type") ?? "";
    if (!/json|html|text\/plain|xml/i.test(type) || type.startsWith("text/event-stream")) return;
    const text = await c.res.text();
    const headers = new Headers(c.res.headers);
    headers.delete("content-length");
    c.res = new Response(scrub(text), { status: c.res.status, statusText: c.res.statusText, headers });
  };
}
