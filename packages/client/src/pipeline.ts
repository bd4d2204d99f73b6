import type { FetchLike } from "@psapi/core";
import type { Middleware, MiddlewareCallbackParams } from "openapi-fetch";

/**
 * Sends each request through `middleware` around `fetch`, in openapi-fetch's order (`onRequest`
 * forward, `onError` and `onResponse` backward; the same request object reaches every hook), so
 * that the client's core runs the same middleware objects as an openapi-fetch client without
 * bundling openapi-fetch. `@psapi/client/all` gives its openapi-fetch clients this pipeline as
 * their `fetch`.
 *
 * @param middleware - Installed in this order, e.g. `[auth, retry]`.
 * @param fetch - The transport that sends one request.
 */
export function createPipeline(middleware: readonly Middleware[], fetch: FetchLike): FetchLike {
  const backward = [...middleware].reverse();
  return async function send(request) {
    // Only `request` and `options.fetch` are read by psapi's middleware; the rest of openapi-fetch's
    // callback fields (schemaPath, params, id) have no meaning outside an openapi-fetch call.
    const params = {
      request,
      options: { fetch },
      schemaPath: "",
      params: {},
      id: "",
    } as unknown as MiddlewareCallbackParams;
    for (const step of middleware) {
      const result = await step.onRequest?.(params);
      if (result instanceof Response) return result;
      if (result instanceof Request) params.request = result;
    }
    let response: Response | undefined;
    try {
      response = await fetch(params.request);
    } catch (error) {
      let failure: unknown = error;
      for (const step of backward) {
        const result = await step.onError?.({ ...params, error: failure });
        if (result instanceof Response) {
          response = result;
          break;
        }
        if (result instanceof Error) failure = result;
      }
      if (response === undefined) throw failure;
    }
    for (const step of backward) {
      const result = (await step.onResponse?.({ ...params, response })) as Response | undefined;
      if (result instanceof Response) response = result;
    }
    return response;
  };
}
