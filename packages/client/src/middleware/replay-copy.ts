/**
 * A copy of `request` to send again later (a retry, the replay after a 401). A send consumes a body,
 * so a request with one is cloned before its first send; a bodiless request (GET, HEAD) is never
 * consumed, so it is its own copy and costs no clone.
 *
 * @param request - The request about to be sent.
 */
export function replayCopy(request: Request): Request {
  return request.body ? request.clone() : request;
}
