/**
 * The shape of an openapi-fetch middleware, restated here so that `@psapi/auth` needs no runtime
 * dependency on openapi-fetch: a structural subset that openapi-fetch's own `Middleware` accepts.
 */
export interface Middleware {
  onRequest?: (options: { request: Request }) => Request | undefined | Promise<Request | undefined>;
}
