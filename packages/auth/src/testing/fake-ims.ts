/** One request the fake IMS received. */
export interface ImsCall {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: string;
  readonly form: URLSearchParams;
  readonly redirect: RequestRedirect;
  readonly signal: AbortSignal;
}

/** What a scripted answer may be: a response, a thrown error, or a promise of either. */
export type ImsAnswer = (call: ImsCall, index: number) => Response | Promise<Response>;

/** A JSON response. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** A 200 token answer as IMS sends it (`expires_in` in seconds unless the test says otherwise). */
export function tokenResponse(
  accessToken: string,
  expiresIn = 86_400,
  extra: Record<string, unknown> = {},
): Response {
  return json(200, { access_token: accessToken, token_type: "bearer", expires_in: expiresIn, ...extra });
}

/**
 * A fake IMS `fetch` that records each request. By default it answers every request with a new token
 * (`token-1`, `token-2`, …); `answers` scripts the responses in order, after which the default resumes.
 */
export function createFakeIms(...answers: ImsAnswer[]) {
  const calls: ImsCall[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    const body = await request.text();
    const call: ImsCall = {
      url: request.url,
      method: request.method,
      headers: request.headers,
      body,
      form: new URLSearchParams(body),
      redirect: request.redirect,
      signal: request.signal,
    };
    const index = calls.push(call) - 1;
    const answer = answers[index];
    return answer ? answer(call, index) : tokenResponse(`token-${index + 1}`);
  };
  return { fetch, calls };
}
