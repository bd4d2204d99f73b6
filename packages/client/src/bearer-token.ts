/**
 * The token of an `Authorization: Bearer <token>` header, as every `@psapi/auth` credential object
 * sets it (the scheme is matched in any case, RFC 9110 §11.1), or `undefined` for another scheme or
 * no header. The one place the client takes a token back out of the header: the 401 handling
 * invalidates it, and the transport scrubs it from every body it reads.
 *
 * @example
 * bearerToken("Bearer tok-7f3a") // "tok-7f3a"
 */
export function bearerToken(header: string | null | undefined): string | undefined {
  return /^bearer +(\S.*)$/i.exec(header ?? "")?.[1];
}
