import { isSecretName, REDACTED, redactDeep, redactText } from "@psapi/core";
import type { components } from "@psapi/openapi-types/emulator";

/**
 * What the journal keeps of a request beyond its line: headers and body, secrets redacted
 * (`RecordedRequest` of `openapi/emulator.yaml`).
 */
export type RequestRecord = components["schemas"]["RecordedRequest"];

/** Longest header value and body text kept; the journal holds up to 1000 entries. */
const MAX_VALUE = 1_024;
export const MAX_BODY = 8_192;
const MAX_HEADERS = 64;

const clip = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;

/** A header value or form field as shown: secret names redacted whole, secrets in text redacted. */
function redactValue(name: string, value: string): string {
  return isSecretName(name) ? REDACTED : clip(redactText(value), MAX_VALUE);
}

/** Whether a body of this content type is shown as text. */
export function isTextual(contentType: string): boolean {
  return /json|text\/|x-www-form-urlencoded|xml/i.test(contentType);
}

/** A text body as shown: JSON re-printed with secrets redacted, anything else through `redactText`. */
function bodyText(text: string): string {
  try {
    return clip(JSON.stringify(redactDeep(JSON.parse(text)), null, 2), MAX_BODY);
  } catch {
    return clip(redactText(text), MAX_BODY);
  }
}

/** A request as captured on the hot path: references and clipped text, redacted only when shown. */
export interface CapturedRequest {
  headers: Readonly<Record<string, string | string[] | undefined>> | Headers;
  /** Form fields, when the body was a form. */
  form?: [string, string][];
  /** The body text (clipped), or a note for a binary or unread body. */
  text?: string;
  note?: string;
}

/**
 * A captured request as the journal shows it, secrets redacted with `@psapi/core`'s redactor (the
 * project's one list of secret names): `Authorization` and every secret-named header, form field
 * or JSON member whole; bearer tokens, JWTs and `name=secret` pairs (pre-signed URLs) inside any
 * other text.
 */
export function redactRequest(captured: CapturedRequest): RequestRecord {
  const headers: Record<string, string> = {};
  const add = (name: string, value: string) => {
    if (Object.keys(headers).length < MAX_HEADERS) headers[name] = redactValue(name, value);
  };
  const entries =
    captured.headers instanceof Headers ? [...captured.headers] : Object.entries(captured.headers);
  for (const [name, value] of entries) {
    if (value !== undefined) add(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const body = captured.form
    ? clip(captured.form.map(([name, value]) => `${name}=${redactValue(name, value)}`).join("\n"), MAX_BODY)
    : captured.text !== undefined
      ? bodyText(captured.text)
      : captured.note;
  return body === undefined || body === "" ? { headers } : { headers, body };
}
