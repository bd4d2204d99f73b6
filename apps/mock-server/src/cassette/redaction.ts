import { createSecretScrubber, isRecord, isSecretName, REDACTED, redactDeep, redactText } from "@psapi/core";
import type { CassetteHar } from "./format.js";

/**
 * Names a cassette redacts besides core's secret names ({@link isSecretName}): what identifies the
 * account rather than proving it (the API key is the client id, the org id), which logs may show but
 * a committed cassette must not. Job ids are never here: replay routes by them.
 */
const CASSETTE_ONLY_NAMES = new Set([
  "x-api-key",
  "client_id",
  "assertion",
  "id_token",
  "x-gw-ims-org-id",
  "x-ims-org-id",
  "org_id",
  "orgid",
  "imsorgid",
  "x-goog-signature",
  "x-goog-credential",
]);

/** Query parameters that make a URL a pre-signed storage URL (S3 SigV4, Azure SAS, Google, the emulator). */
const SIGNATURE_PARAMS = new Set([
  "sig",
  "signature",
  "x-amz-signature",
  "x-amz-credential",
  "x-amz-security-token",
  "x-goog-signature",
  "x-goog-credential",
]);

/** Whether a cassette redacts what stands under this name (header, form field, query parameter, JSON key). */
export function isCassetteSecretName(name: string): boolean {
  return isSecretName(name) || CASSETTE_ONLY_NAMES.has(name.toLowerCase());
}

/**
 * What redaction learns while it works: the live secret values it removed (for the scan before
 * writing; never written), the rules that fired, and the storage origins behind `{{storage:<n>}}`.
 */
export interface RedactionContext {
  readonly seen: Set<string>;
  readonly fired: string[];
  readonly storage: Map<string, number>;
  /**
   * When each pre-signed URL made a placeholder expires (epoch ms), by `<where><JSON pointer>`
   * (`response.body/result/outputs/0/destination/url`): replay signs its URL for what is left.
   */
  readonly expiries: Map<string, number>;
}

/** A fresh context; `storage` is shared by a whole cassette so that one origin keeps one number. */
export function redactionContext(storage: Map<string, number> = new Map()): RedactionContext {
  return { seen: new Set(), fired: [], storage, expiries: new Map() };
}

/** `20261123T180000Z` (SigV4's `X-Amz-Date`, Google's `X-Goog-Date`) in epoch ms. */
function compactDate(text: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, se] = match.map(Number) as number[];
  return Date.UTC(y as number, (mo as number) - 1, d, h, mi, se);
}

/**
 * When a pre-signed URL expires, in epoch ms, from its own query (never its signature): S3 SigV4
 * and Google V4 (`X-Amz-Date` + `X-Amz-Expires`, `X-Goog-Date` + `X-Goog-Expires`), Azure SAS
 * (`se`), S3 SigV2, Google V2 and the emulator (`Expires`/`expires`, epoch seconds).
 *
 * @returns `undefined` when the URL does not say.
 * @example
 * storageExpiry(new URL("https://b.s3.amazonaws.com/a?X-Amz-Date=20261123T180000Z&X-Amz-Expires=60&X-Amz-Signature=x"))
 * // Date.UTC(2026, 10, 23, 18, 1, 0)
 */
export function storageExpiry(url: URL): number | undefined {
  const params = new Map([...url.searchParams].map(([name, value]) => [name.toLowerCase(), value]));
  const seconds = (text: string | undefined) =>
    text !== undefined && /^\d{1,12}$/.test(text) ? Number(text) * 1000 : undefined;
  for (const vendor of ["amz", "goog"]) {
    const date = compactDate(params.get(`x-${vendor}-date`) ?? "");
    const expires = seconds(params.get(`x-${vendor}-expires`));
    if (date !== undefined && expires !== undefined) return date + expires;
  }
  const azure = params.get("se");
  if (azure !== undefined) {
    const at = Date.parse(azure);
    return Number.isNaN(at) ? undefined : at;
  }
  return seconds(params.get("expires"));
}

function fire(context: RedactionContext, rule: string): void {
  if (!context.fired.includes(rule)) context.fired.push(rule);
}

/** Whether a string is an http(s) URL signed by a storage service. */
export function isSignedUrl(text: string): boolean {
  if (!/^https?:\/\//i.test(text)) return false;
  try {
    return [...new URL(text).searchParams.keys()].some((name) => SIGNATURE_PARAMS.has(name.toLowerCase()));
  } catch {
    return false;
  }
}

/** Remembers a secret value and the token inside an `Authorization`/`Cookie` value. */
function see(context: RedactionContext, name: string, value: string): void {
  context.seen.add(value);
  const scheme = /^(?:Bearer|Basic)\s+(.+)$/i.exec(value);
  if (scheme?.[1]) context.seen.add(scheme[1]);
  if (/cookie/i.test(name))
    for (const part of value.split(/;\s*/)) {
      const cookie = part.split("=").slice(1).join("=");
      if (cookie) context.seen.add(cookie);
    }
}

/** A URL with the value of every secret query parameter replaced (the others kept). */
export function redactUrlParams(url: string, where: string, context: RedactionContext): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactText(url);
  }
  let changed = false;
  for (const [name, value] of [...parsed.searchParams]) {
    if (!isCassetteSecretName(name) && !SIGNATURE_PARAMS.has(name.toLowerCase())) continue;
    if (value === REDACTED) continue;
    if (SIGNATURE_PARAMS.has(name.toLowerCase()) || isCassetteSecretName(name)) see(context, name, value);
    parsed.searchParams.set(name, REDACTED);
    fire(context, `${where}.query:${name.toLowerCase()}`);
    changed = true;
  }
  if (parsed.username || parsed.password) {
    if (parsed.password) context.seen.add(decodeURIComponent(parsed.password));
    parsed.username = "";
    parsed.password = "";
    fire(context, `${where}.userinfo`);
    changed = true;
  }
  return changed ? parsed.href : url;
}

/** HAR headers with every secret header's value replaced. */
export function redactHeaders(
  headers: readonly { name: string; value: string }[],
  where: string,
  context: RedactionContext,
): { name: string; value: string }[] {
  return headers.map(({ name, value }) => {
    if (isCassetteSecretName(name)) {
      see(context, name, value);
      fire(context, `${where}.header:${name.toLowerCase()}`);
      return { name, value: REDACTED };
    }
    // A `location` or `link` header may carry a pre-signed URL.
    return {
      name,
      value: /^https?:\/\//i.test(value) ? redactUrlParams(value, `${where}.header`, context) : value,
    };
  });
}

/** `{{storage:<n>}}<path>` for a pre-signed URL: its origin is numbered, its query (the credential) dropped. */
function storagePlaceholder(url: string, where: string, pointer: string, context: RedactionContext): string {
  const parsed = new URL(url);
  const expiry = storageExpiry(parsed);
  if (expiry !== undefined) context.expiries.set(`${where}${pointer}`, expiry);
  for (const [name, value] of parsed.searchParams)
    if (SIGNATURE_PARAMS.has(name.toLowerCase())) see(context, name, value);
  let n = context.storage.get(parsed.origin);
  if (n === undefined) {
    n = context.storage.size + 1;
    context.storage.set(parsed.origin, n);
  }
  fire(context, `${where}.storage-url`);
  return `{{storage:${n}}}${parsed.pathname}`;
}

/** A JSON value with storage URLs as placeholders, then every secret removed by core's {@link redactDeep}. */
function redactJson(value: unknown, where: string, context: RedactionContext): unknown {
  const walk = (item: unknown, pointer = ""): unknown => {
    if (typeof item === "string")
      return isSignedUrl(item) ? storagePlaceholder(item, where, pointer, context) : item;
    if (Array.isArray(item)) return item.map((entry, i) => walk(entry, `${pointer}/${i}`));
    if (!isRecord(item)) return item;
    const copy: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(item)) {
      // `code` in a JSON body is an error code (core keeps it too).
      if (isCassetteSecretName(key) && key.toLowerCase() !== "code") {
        if (typeof entry === "string") see(context, key, entry);
        fire(context, `${where}.json:${key}`);
        copy[key] = REDACTED;
      } else copy[key] = walk(entry, `${pointer}/${jsonPointerToken(key)}`);
    }
    return copy;
  };
  return redactDeep(walk(value));
}

/** A key as a JSON pointer token (RFC 6901): `~` and `/` escaped. */
export function jsonPointerToken(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Whether a media type is text (kept inline in the HAR) rather than bytes (a blob). */
export function isTextType(mimeType: string): boolean {
  return /^text\/|[/+]json\b|[/+]xml\b|x-www-form-urlencoded|javascript/i.test(mimeType);
}

/**
 * A body as a cassette keeps it: JSON with storage placeholders and secrets removed; a form with its
 * secret fields replaced; other text through core's `redactText`.
 */
export function redactBody(text: string, mimeType: string, where: string, context: RedactionContext): string {
  if (/x-www-form-urlencoded/i.test(mimeType)) {
    const form = new URLSearchParams(text);
    for (const [name, value] of [...form]) {
      if (!isCassetteSecretName(name)) continue;
      see(context, name, value);
      form.set(name, REDACTED);
      fire(context, `${where}.form:${name}`);
    }
    return form.toString();
  }
  if (/json/i.test(mimeType)) {
    try {
      return JSON.stringify(redactJson(JSON.parse(text), where, context));
    } catch {
      // Not JSON after all: treated as text below.
    }
  }
  return redactText(text);
}

/**
 * Every place in a cassette (HAR strings, keys included, and blob bytes) where one of `secrets`
 * stands, in any spelling of core's `secretForms` (raw, URL-encoded, JSON-escaped, base64).
 *
 * @returns JSON pointers into the HAR and `blob:<sha256>` names; empty when clean.
 */
export function findSecrets(
  har: CassetteHar,
  blobs: ReadonlyMap<string, Uint8Array>,
  secrets: Iterable<string>,
): string[] {
  const scrub = createSecretScrubber(secrets);
  const hits: string[] = [];
  const walk = (item: unknown, pointer: string): void => {
    if (typeof item === "string") {
      if (scrub(item) !== item) hits.push(pointer);
    } else if (Array.isArray(item)) {
      item.forEach((entry, i) => {
        walk(entry, `${pointer}/${i}`);
      });
    } else if (isRecord(item))
      for (const [key, entry] of Object.entries(item)) {
        if (scrub(key) !== key) hits.push(`${pointer}/${key}`);
        walk(entry, `${pointer}/${key}`);
      }
  };
  walk(har, "");
  for (const [sha, bytes] of blobs) {
    // Latin-1 maps every byte to one character, so a secret's bytes are found wherever they stand.
    const text = Buffer.from(bytes).toString("latin1");
    if (scrub(text) !== text) hits.push(`blob:${sha}`);
  }
  return hits;
}

/** What a credential looks like, whoever's it is: for cassettes whose live values are long gone. */
const SECRET_PATTERNS: readonly (readonly [name: string, pattern: RegExp])[] = [
  ["jwt", /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/],
  ["bearer token", /Bearer\s+(?!\[REDACTED\])[A-Za-z0-9._~+/=-]{8,}/i],
  [
    "signature parameter",
    /(?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|X-Goog-Signature|X-Goog-Credential|[?&]sig)=(?!%5BREDACTED%5D|\[REDACTED\])[^&"\s]+/i,
  ],
  [
    "token or secret field",
    /"(?:access_token|refresh_token|id_token|client_secret)"\s*:\s*"(?!\[REDACTED\])/,
  ],
  [
    "form credential",
    /(?:^|[&?])(?:client_secret|client_id|refresh_token|assertion)=(?!%5BREDACTED%5D|\[REDACTED\])/,
  ],
  ["private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
];

/** Base64 runs long enough to hide a credential, decoded so that the patterns see inside them. */
function decodedRuns(text: string): string[] {
  return [...text.matchAll(/[A-Za-z0-9+/_-]{24,}={0,2}/g)].map(([run]) =>
    Buffer.from(run.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("latin1"),
  );
}

/**
 * Every place in a cassette where something looks like a credential (a JWT, a bearer token, a
 * signature parameter, a token field, an IMS form credential, a private key), raw or inside
 * URL-encoded, JSON-escaped or base64 text: the scan for committed cassettes, whose live values
 * are not known.
 *
 * @returns `<pointer or blob:sha>: <what>` lines; empty when clean.
 */
export function findSecretPatterns(har: CassetteHar, blobs: ReadonlyMap<string, Uint8Array>): string[] {
  const hits: string[] = [];
  const check = (text: string, where: string) => {
    let unescaped = text;
    try {
      unescaped = decodeURIComponent(text);
    } catch {
      // Not URL-encoded throughout: the raw text is checked.
    }
    for (const candidate of [text, unescaped, ...decodedRuns(text)])
      for (const [name, pattern] of SECRET_PATTERNS)
        if (pattern.test(candidate)) {
          hits.push(`${where}: ${name}`);
          return;
        }
  };
  const walk = (item: unknown, pointer: string): void => {
    if (typeof item === "string") check(item, pointer);
    else if (Array.isArray(item)) {
      item.forEach((entry, i) => {
        walk(entry, `${pointer}/${i}`);
      });
    } else if (isRecord(item))
      for (const [key, entry] of Object.entries(item)) walk(entry, `${pointer}/${key}`);
  };
  walk(har, "");
  for (const [sha, bytes] of blobs) check(Buffer.from(bytes).toString("latin1"), `blob:${sha}`);
  return hits;
}
