// The official SDK hard-codes https://ims-na1.adobelogin.com and https://image.adobe.io and calls the
// global `fetch`. To measure it offline, the bench swaps `globalThis.fetch` for a wrapper that
// rewrites those two origins to a loopback fake and refuses every other host, so nothing can leave
// this machine even if the SDK reaches somewhere unexpected.
import { isLoopback } from "@psapi/core";

/**
 * Runs `body` with `globalThis.fetch` redirected: each origin key in `routes` is rewritten to its
 * loopback value; any other non-loopback URL throws. The original fetch is restored afterwards.
 * @throws {Error} from the wrapper when the code under test reaches a host outside `routes`.
 */
export async function withLoopbackFetch<T>(
  routes: Readonly<Record<string, string>>,
  body: () => Promise<T>,
): Promise<T> {
  const original = globalThis.fetch;
  globalThis.fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const target = routes[url.origin];
    if (target) {
      const rewritten = `${target}${url.pathname}${url.search}`;
      return original(input instanceof Request ? new Request(rewritten, input) : rewritten, init);
    }
    if (!isLoopback(url)) {
      return Promise.reject(new Error(`bench refused a request to ${url.origin}`));
    }
    return original(input, init);
  };
  try {
    return await body();
  } finally {
    globalThis.fetch = original;
  }
}
