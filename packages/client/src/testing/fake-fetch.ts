import type { FakeClock } from "@psapi/core/testing";

/** One request as the fake server saw it. */
export interface Seen {
  method: string;
  url: string;
  headers: Headers;
  body: string;
  redirect: RequestRedirect;
  /** Virtual time of arrival. */
  at: number;
}

export type Reply = Response | Error | "hang" | ((request: Request) => Response | Promise<Response>);

/**
 * A fetch that answers from a script, one reply per request (the last one repeats), and records
 * every request with its virtual arrival time. `"hang"` never answers; an `Error` is thrown as a
 * network failure.
 */
export function scriptedFetch(clock: FakeClock, replies: readonly Reply[]) {
  const seen: Seen[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    const reply = replies[Math.min(seen.length, replies.length - 1)];
    seen.push({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: await request.text(),
      redirect: request.redirect,
      at: clock.now(),
    });
    if (reply === undefined || reply === "hang") return new Promise<Response>(() => {});
    if (reply instanceof Error) throw reply;
    if (typeof reply === "function") return reply(request);
    return reply.clone();
  };
  return { fetch, seen };
}

/** A JSON response. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}
