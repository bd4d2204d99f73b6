import { isSecretName, REDACTED, redactDeep, redactText } from "@psapi/core";
import type { components } from "@psapi/openapi-types/emulator";
import type { EmulatorContextType } from "../context.js";

/**
 * What the journal keeps of a request beyond its line: headers and body, secrets redacted
 * (`RecordedRequest` of `openapi/emulator.yaml`).
 */
export type RequestRecord = components["schemas"]["RecordedRequest"];

/** Longest header value and body text kept; the journal holds up to 1000 entries. */
const MAX_VALUE = 1_024;
const MAX_BODY = 8_192;
const MAX_HEADERS = 64;

const clip = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;

/** A header value or form field as shown: secret names redacted whole, secrets in text redacted. */
function redactValue(name: string, value: string): string {
  return isSecretName(name) ? REDACTED : clip(redactText(value), MAX_VALUE);
}

function isTextual(contentType: string): boolean {
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
 * Captures the headers and body of the request being answered, for the journal. It reads only what
 * the handler already read (Hono caches a body once parsed), so recording never consumes or copies
 * a stream; a body the emulator did not read (a request refused before its body mattered) is noted
 * by its size. Cheap on purpose (every request pays it): redaction waits for {@link redactRequest}.
 */
export async function captureRequest(c: EmulatorContextType): Promise<CapturedRequest> {
  const headers = c.env?.incoming?.headers ?? c.req.raw.headers;
  const cache = c.req.bodyCache;
  const header = (name: string) =>
    headers instanceof Headers ? (headers.get(name) ?? undefined) : String(headers[name] ?? "") || undefined;
  try {
    if (cache.formData) {
      const form: [string, string][] = [];
      (await cache.formData).forEach((value, name) => {
        form.push([name, typeof value === "string" ? value : `(file, ${value.size} bytes)`]);
      });
      return { headers, form };
    }
    if (cache.text) return { headers, text: (await cache.text).slice(0, MAX_BODY * 2) };
    if (cache.arrayBuffer) {
      const bytes = await cache.arrayBuffer;
      const contentType = header("content-type") ?? "";
      return isTextual(contentType) && bytes.byteLength <= MAX_BODY
        ? { headers, text: new TextDecoder().decode(bytes) }
        : { headers, note: `(${bytes.byteLength} bytes of ${contentType || "unknown type"})` };
    }
  } catch {
    return { headers, note: "(unreadable body)" };
  }
  const length = Number(header("content-length") ?? 0);
  return length > 0 ? { headers, note: `(${length} bytes, not read by the emulator)` } : { headers };
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
