import type { PhotoshopAuth } from "@psapi/auth";
import type { GlobalFetchLike } from "../conformance/recording-fetch.js";

/**
 * Removes `Retry-After` from every answer, as a gateway that omits it would. It sits between the
 * client and the recorder, so the conformance check still sees the emulator's own answer.
 *
 * @param fetch The fetch to wrap.
 * @returns The wrapped fetch.
 * @example
 * createTestEnvironment({ interpose: withoutRetryAfter });
 */
export function withoutRetryAfter(fetch: GlobalFetchLike): GlobalFetchLike {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (!response.headers.has("retry-after")) return response;
    const headers = new Headers(response.headers);
    headers.delete("retry-after");
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}

/**
 * Rewrites the `Content-Type` of requests to one path, as a misconfigured proxy would.
 *
 * @param path The request path to rewrite, e.g. `/sensei/mask`.
 * @param contentType The content type to send instead.
 * @returns A wrapper for {@link EnvironmentOptions.interpose}.
 * @example
 * createTestEnvironment({ interpose: withContentType("/sensei/mask", "text/plain") });
 */
export function withContentType(
  path: string,
  contentType: string,
): (fetch: GlobalFetchLike) => GlobalFetchLike {
  return (fetch) => async (input, init) => {
    const request = new Request(input, init);
    if (new URL(request.url).pathname !== path) return fetch(request);
    const headers = new Headers(request.headers);
    headers.set("content-type", contentType);
    return fetch(new Request(request, { headers }));
  };
}

/**
 * The same credentials with another `x-api-key`, to provoke the gateway's 403 `403003`.
 *
 * @param auth The real credentials.
 * @param apiKey The key to send instead of the client id.
 * @returns A `PhotoshopAuth` that sends `apiKey`.
 * @example
 * const auth = withApiKey(createServerToServerAuth(credentials), "not-a-client");
 */
export function withApiKey(auth: PhotoshopAuth, apiKey: string): PhotoshopAuth {
  return {
    clientId: apiKey,
    getToken: (options) => auth.getToken(options),
    invalidate: (token) => auth.invalidate(token),
    headers: async (options) => ({ ...(await auth.headers(options)), "x-api-key": apiKey }),
  };
}

/**
 * Adds the emulator's `x-emulator-fault` header to the `nth` request (1-based) to one path, for
 * faults that must hit a particular attempt (the control API's rules count every request).
 *
 * @param path The request path, e.g. `/sensei/mask`.
 * @param nth Which request to that path gets the fault.
 * @param fault The header value, e.g. `"503"` or `"429; retry-after=2"`.
 * @returns A wrapper for {@link EnvironmentOptions.interpose}.
 * @example
 * createTestEnvironment({ interpose: withFaultOnNth("/sensei/mask", 2, "503") });
 */
export function withFaultOnNth(
  path: string,
  nth: number,
  fault: string,
): (fetch: GlobalFetchLike) => GlobalFetchLike {
  return (fetch) => {
    let seen = 0;
    return async (input, init) => {
      const request = new Request(input, init);
      if (new URL(request.url).pathname !== path || ++seen !== nth) return fetch(request);
      const headers = new Headers(request.headers);
      headers.set("x-emulator-fault", fault);
      return fetch(new Request(request, { headers }));
    };
  };
}
