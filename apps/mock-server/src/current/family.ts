/**
 * The two error families of the current contract (`openapi/photoshop-current.yaml`): both answer
 * `{error_code, message, errors?}`, but the masking guide names its codes differently from the
 * v2 family (remove-background, generate-manifest, `/v2/status`).
 */
export type ErrorFamily = "v2" | "masking";

/** The `error_code` of each kind of failure, per family (see the spec's "Choices" table). */
export const ERROR_CODES: Record<ErrorFamily, { invalid: string; internal: string; tooMany: string }> = {
  v2: { invalid: "validation_error", internal: "runtime_error", tooMany: "unauthorized_rate_limited" },
  masking: {
    invalid: "input_validation_error",
    internal: "internal_server_error",
    tooMany: "too_many_requests",
  },
};

/** The family of a current-contract path, or undefined for the retired routes and the rest. */
export function errorFamily(path: string): ErrorFamily | undefined {
  // Auto-crop sits under /v1 on the masking host but belongs to Adobe's v2 reference and its codes.
  if (path.startsWith("/v2/") || path === "/v1/auto-crop") return "v2";
  if (path.startsWith("/v1/")) return "masking";
  return undefined;
}
