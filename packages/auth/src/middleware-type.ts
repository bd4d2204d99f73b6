/**
 * The shape of an openapi-fetch middleware, restated here so that `@psapi/auth` needs no runtime
 * dependency on openapi-fetch. `onRequest` is required: openapi-fetch's `Middleware` is a union in which
 * each member requires one hook, so an object whose hooks are all optional would not be accepted by
 * `client.use()`.
 *
 * @see https://openapi-ts.dev/openapi-fetch/middleware-auth
 */
export interface Middleware {
  onRequest: (options: { request: Request }) => Request | undefined | Promise<Request | undefined>;
}
