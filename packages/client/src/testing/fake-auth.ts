import type { AccessToken, PhotoshopAuth } from "@psapi/auth";

/** A `PhotoshopAuth` that hands out `tokens` in turn: each invalidation of the current one moves on. */
export function fakeAuth(tokens: readonly string[] = ["token-1", "token-2", "token-3"]) {
  let index = 0;
  const invalidated: string[] = [];
  const token = (): AccessToken => ({
    accessToken: tokens[index] ?? "",
    expiresAt: Number.MAX_SAFE_INTEGER,
    scopes: [],
    clientId: "test-client",
  });
  const auth: PhotoshopAuth & { invalidated: string[] } = {
    clientId: "test-client",
    invalidated,
    async getToken() {
      return token();
    },
    async invalidate(accessToken) {
      invalidated.push(accessToken);
      if (accessToken === tokens[index] && index < tokens.length - 1) index++;
    },
    async headers() {
      return { Authorization: `Bearer ${token().accessToken}`, "x-api-key": "test-client" };
    },
  };
  return auth;
}
