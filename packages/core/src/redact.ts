import { isRecord } from "./is-record.js";

/**
 * Names whose values are secrets wherever they appear: headers, form fields, query parameters, JSON
 * properties. The one list in psapi: auth, the client, the CLI and the emulator's journal all ask
 * {@link isSecretName}, so a new secret name added here reaches all of them.
 */
const SECRET_NAMES = new Set([
  "authorization",
  "client_secret",
  "refresh_token",
  "access_token",
  "jwt_token",
  "code",
  "sig",
  "signature",
  "token",
  // A session cookie is a credential like a bearer token (a browser sends one to the inspector).
  "cookie",
  "set-cookie",
  "x-amz-signature",
  "x-amz-credential",
  "x-amz-security-token",
  "se",
  "sv",
  "sp",
]);

/** The placeholder that replaces every redacted value. */
export const REDACTED = "[REDACTED]";

/**
 * Whether a header, form field or query parameter of this name carries a secret.
 *
 * @example
 * isSecretName("Authorization") // true
 */
export function isSecretName(name: string): boolean {
  return SECRET_NAMES.has(name.toLowerCase());
}

/**
 * A URL safe to log: origin and path only. The query string of a pre-signed URL is its credential
 * (S3 `X-Amz-Signature`, Azure SAS `sig`, the emulator's `sig`), so it is replaced whole by
 * `?[REDACTED]`, and any user-info part is dropped. Input that is not a URL is replaced entirely.
 *
 * @example
 * redactUrl("https://bucket.s3.amazonaws.com/a.png?X-Amz-Signature=abc") // "https://bucket.s3.amazonaws.com/a.png?[REDACTED]"
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return REDACTED;
  }
  const query = parsed.search ? `?${REDACTED}` : "";
  // A scheme the URL standard does not know (`redis:`, `rediss:`) has an opaque origin ("null").
  const origin =
    parsed.origin !== "null" ? parsed.origin : `${parsed.protocol}${parsed.host ? `//${parsed.host}` : ""}`;
  return `${origin}${parsed.pathname}${query}`;
}

/**
 * An absolute URL inside free text. It ends at a space, a quote or an angle bracket, and leaves
 * punctuation that closes the sentence (`:` `,` `.` `;` `)`) to the sentence.
 */
const URL_IN_TEXT = /\bhttps?:\/\/[^\s"'<>]*[^\s"'<>:,.;)]/gi;

/**
 * The user info of a URL of any other scheme inside free text: `redis://:password@host`,
 * `rediss://user:password@host`, a mistyped `redi://:password@host` that a parser quotes back.
 * It runs to the last `@` of the word, so a password with an unescaped `/` or `@` goes too.
 * (`http(s)` URLs are {@link URL_IN_TEXT}'s: their user info goes with the rest of {@link redactUrl}.)
 */
const USERINFO_IN_TEXT = /\b(?!https?:\/\/)([a-z][a-z0-9+.-]*:\/\/)[^\s"'<>]*@/gi;

/**
 * Replaces every secret in a text (an error message, an HTML error page) from outside: the query
 * string of every http(s) URL (a pre-signed URL's credential) and its user info, the user info of a
 * URL of any other scheme (`redis://:password@host`), bearer tokens, JWTs, and `name=value` pairs
 * with a secret name. Punctuation that ends the sentence is kept.
 *
 * @param text Any text.
 * @returns The text with every secret replaced by `[REDACTED]`.
 * @example
 * redactText("client_secret=abc&scope=openid") // "client_secret=[REDACTED]&scope=openid"
 * redactText("no object at https://b.s3.amazonaws.com/a.png?X-Amz-Signature=x.") // "no object at https://b.s3.amazonaws.com/a.png?[REDACTED]."
 * redactText("argument 'redis://:s3cret@cache:6379' is invalid") // "argument 'redis://[REDACTED]@cache:6379' is invalid"
 */
export function redactText(text: string): string {
  return (
    text
      // Only a URL with a query string or user info is rewritten: the rest of the text stays as written.
      .replace(URL_IN_TEXT, (url) => (/[?@]/.test(url) ? redactUrl(url) : url))
      .replace(USERINFO_IN_TEXT, `$1${REDACTED}@`)
      .replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/gi, `Bearer ${REDACTED}`)
      .replace(/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED)
      .replace(/([?&\s"']|^)([A-Za-z_-]+)=([^&\s"']+)/g, (match, lead: string, name: string) =>
        isSecretName(name) ? `${lead}${name}=${REDACTED}` : match,
      )
  );
}

/**
 * Replaces every occurrence of known secret values in a text: what the pattern rules of
 * {@link redactText} cannot recognise, such as an opaque access token a server echoes back in its
 * error body. Empty and missing values are skipped.
 *
 * @param text Any text, e.g. a response body.
 * @param secrets The values to hide, e.g. the token the request carried.
 * @returns The text with each value replaced by `[REDACTED]`.
 * @example
 * redactSecrets('{"reason":"bad token tok-123"}', ["tok-123"]) // '{"reason":"bad token [REDACTED]"}'
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  for (const secret of secrets) if (secret) text = text.replaceAll(secret, REDACTED);
  return text;
}

/**
 * {@link redactSecrets} for a response body, which may be JSON. In JSON the values are replaced inside
 * its strings (property names included) and the JSON is written again, so a short value that also
 * occurs in the structure (a token `"1"` in a number, `"t"` in `true` or in a key) cannot break it.
 * Text that is not JSON is treated as {@link redactSecrets} does. A body that holds no value, and no
 * JSON escape that could hide one, comes back unchanged without being parsed.
 *
 * @param text A response body.
 * @param secrets The values to hide, e.g. the token the request carried. Empty and missing ones are skipped.
 * @returns The body without the values: still JSON if it was JSON.
 * @example
 * redactSecretsInBody('{"width":100,"reason":"bad token 1"}', ["1"]) // '{"width":100,"reason":"bad token [REDACTED]"}'
 */
export function redactSecretsInBody(text: string, secrets: readonly (string | undefined)[]): string {
  const known = secrets.filter((secret): secret is string => Boolean(secret));
  const mayHold = text.includes("\\") || known.some((secret) => text.includes(secret));
  if (known.length === 0 || !mayHold) return text;
  const scrub = (value: unknown): unknown =>
    typeof value === "string"
      ? redactSecrets(value, known)
      : Array.isArray(value)
        ? value.map(scrub)
        : isRecord(value)
          ? Object.fromEntries(
              Object.entries(value).map(([key, item]) => [redactSecrets(key, known), scrub(item)]),
            )
          : value;
  try {
    return JSON.stringify(scrub(JSON.parse(text)));
  } catch {
    return redactSecrets(text, known); // not JSON (or nested too deep to walk)
  }
}

/** Nesting beyond this is cut: no API body is this deep (a PSD manifest's layer tree included). */
const MAX_DEPTH = 32;

/**
 * A deep copy of a JSON value from outside, safe to log or print: every string passes through
 * {@link redactText}, every property whose name is a secret (`access_token`, `sig`, …) is replaced,
 * and nesting deeper than 32 levels is replaced whole. Job statuses echo the pre-signed input and
 * output URLs, and error details echo request fields. One secret name is kept: in a JSON body
 * `code` is an error code (`404`, `invalid_client`) that users need to see; an OAuth authorization
 * code travels in a query string or a form, never in a JSON body psapi reads.
 *
 * @param value A JSON value (objects, arrays, strings, numbers, booleans, null).
 * @param depth How deep `value` already is; callers leave it out.
 * @returns The redacted copy; the input is not modified.
 * @example
 * redactDeep({ output: { href: "https://b.s3.amazonaws.com/m.png?X-Amz-Signature=x" }, access_token: "t" })
 * // { output: { href: "https://b.s3.amazonaws.com/m.png?[REDACTED]" }, access_token: "[REDACTED]" }
 */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = isSecretName(key) && key.toLowerCase() !== "code" ? REDACTED : redactDeep(item, depth + 1);
  }
  return copy;
}

/**
 * A log-safe stand-in for an error thrown by a `fetch`, to keep as a `cause`: a new `Error` with the
 * original's `name`, its message joined with its cause's (Node's fetch says "fetch failed" and puts
 * the reason, `connect ECONNREFUSED …`, in its cause) and passed through `scrub`, and a string `code`
 * (`ECONNREFUSED`) when either has one. Never the original: a custom `fetch` may have hung the request
 * on it, headers and body included, and `util.inspect` prints a `cause` with all its properties.
 *
 * @param error What the `fetch` threw.
 * @param scrub Removes secrets from the message; default `redactText`.
 * @example
 * new Error("request failed", { cause: redactError(thrown) });
 */
export function redactError(error: unknown, scrub: (text: string) => string = redactText): Error {
  if (!(error instanceof Error)) return new Error("unknown error");
  const inner = error.cause instanceof Error ? error.cause : undefined;
  const copy = new Error(scrub(inner ? `${error.message}: ${inner.message}` : error.message));
  copy.name = error.name;
  const code = [inner, error]
    .map((e) => (e as { code?: unknown } | undefined)?.code)
    .find((c) => typeof c === "string");
  return code === undefined ? copy : Object.assign(copy, { code });
}

/** Shorter values are left alone by {@link createSecretScrubber}: too likely to be ordinary text. */
const MIN_SECRET_LENGTH = 6;

const HTML_BASE: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };
/** The entity spellings of HTML escapers (Hono's JSX and most others, `&#x27;`, XML's, OWASP's). */
const HTML_ESCAPERS: readonly Readonly<Record<string, string>>[] = [
  { ...HTML_BASE, "'": "&#39;" },
  { ...HTML_BASE, "'": "&#x27;" },
  { ...HTML_BASE, "'": "&apos;" },
  { ...HTML_BASE, "'": "&#x27;", "/": "&#x2F;" },
];

/**
 * The spellings of a secret a text may hold: as is, URL-encoded (`encodeURIComponent`, and a form's
 * `+` for a space), JSON-escaped, each of these HTML-escaped (text and attribute entities), and base64 (standard and URL-safe) in each of the three
 * alignments it can have inside a longer base64 text (`Basic base64(id:secret)`): the characters
 * that depend on the secret's bytes alone.
 *
 * @example
 * secretForms("s3cret/+").includes("s3cret%2F%2B") // true
 */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, "+"),
  ]);
  forms.add(JSON.stringify(secret).slice(1, -1));
  // What an HTML page shows of each (an inspector view, an error page): the text and attribute
  // escapes of the usual escapers (`&amp;` `&lt;` `&gt;` `&quot;` and `&#39;`, `&#x27;` or `&apos;`
  // for a quote; OWASP's also `&#x2F;` for a slash).
  for (const form of [...forms]) {
    for (const escaper of HTML_ESCAPERS) forms.add(form.replace(/[&<>"'/]/g, (c) => escaper[c] ?? c));
  }
  const bytes = new TextEncoder().encode(secret);
  for (let offset = 0; offset < 3; offset++) {
    const padded = new Uint8Array(offset + bytes.length);
    padded.set(bytes, offset);
    const base64 = btoa(String.fromCharCode(...padded));
    // Characters that mix in the zero bytes before, or the padding after, are not the secret's own.
    const inner = base64.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + bytes.length) * 8) / 6));
    if (inner.length >= MIN_SECRET_LENGTH) {
      forms.add(inner);
      forms.add(inner.replace(/\+/g, "-").replace(/\//g, "_"));
    }
  }
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

/**
 * A redactor by value, for the secrets a program holds (client secrets, refresh tokens, tokens it
 * issued): each is replaced by `[REDACTED]` wherever it stands in a text, in every spelling of
 * {@link secretForms}, whatever field it was put in. What the name rules of {@link redactText} and
 * {@link redactDeep} cannot see: a secret in a path, a header or form field of another name, a JSON
 * body, or base64. Values shorter than 6 characters are ignored.
 *
 * @param secrets The values to hide; empty and missing ones are skipped.
 * @returns A function from text to text (the identity when there is nothing to hide).
 * @example
 * const scrub = createSecretScrubber(["psapi-demo-secret"]);
 * scrub("GET /v2/status/psapi-demo-secret") // "GET /v2/status/[REDACTED]"
 */
export function createSecretScrubber(secrets: Iterable<string | undefined>): (text: string) => string {
  // Each form under its first characters: one pass over a text finds every form, however many
  // secrets there are (a regular expression of hundreds of alternatives is slow to build and run).
  const byPrefix = new Map<string, string[]>();
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    for (const form of secretForms(secret)) {
      const prefix = form.slice(0, MIN_SECRET_LENGTH);
      const forms = byPrefix.get(prefix) ?? [];
      if (!forms.includes(form)) forms.push(form);
      // Longest first, so a form that contains another is replaced whole.
      forms.sort((a, b) => b.length - a.length);
      byPrefix.set(prefix, forms);
    }
  }
  if (byPrefix.size === 0) return (text) => text;
  return (text) => {
    let out = "";
    let last = 0;
    for (let at = 0; at <= text.length - MIN_SECRET_LENGTH; ) {
      const candidates = byPrefix.get(text.slice(at, at + MIN_SECRET_LENGTH));
      const hit = candidates?.find((form) => text.startsWith(form, at));
      if (hit) {
        out += `${text.slice(last, at)}${REDACTED}`;
        at += hit.length;
        last = at;
      } else at += 1;
    }
    return last === 0 ? text : out + text.slice(last);
  };
}

/**
 * A deep copy of a JSON value with `scrub` applied to every string, property names included.
 *
 * @example
 * scrubDeep({ note: "a s3cret-value" }, createSecretScrubber(["s3cret-value"])) // { note: "a [REDACTED]" }
 */
export function scrubDeep<T>(value: T, scrub: (text: string) => string): T {
  const walk = (item: unknown, depth: number): unknown => {
    if (typeof item === "string") return scrub(item);
    if (item === null || typeof item !== "object") return item;
    if (depth >= MAX_DEPTH) return REDACTED;
    if (Array.isArray(item)) return item.map((entry) => walk(entry, depth + 1));
    const copy: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(item)) copy[scrub(key)] = walk(entry, depth + 1);
    return copy;
  };
  return walk(value, 0) as T;
}

/** A set of secrets that grows while a program runs, and the scrubber of them all. */
export interface SecretRegistry {
  /** Adds a value to hide from now on (shorter than 6 characters, empty or missing: ignored). */
  add(secret: string | undefined): void;
  /** Stops hiding a value the user asked to see (`psapi token --show`). */
  reveal(secret: string): void;
  /** {@link createSecretScrubber}'s function over every value added so far. */
  scrub(text: string): string;
}

/**
 * A {@link createSecretScrubber} whose secrets can be added while the program runs: the credentials
 * it read at start, then each token an auth obtains (`@psapi/auth`'s `onSecret`). The scrubber is
 * rebuilt on the first `scrub` after a change.
 *
 * @param initial Values known at start (environment credentials); empty and missing ones are skipped.
 * @example
 * const secrets = createSecretRegistry([process.env.PHOTOSHOP_CLIENT_SECRET]);
 * const auth = authFromEnv(process.env, { onSecret: secrets.add });
 * console.error(secrets.scrub(message));
 */
export function createSecretRegistry(initial: Iterable<string | undefined> = []): SecretRegistry {
  const values = new Set<string>();
  let scrubber: ((text: string) => string) | undefined;
  const add = (secret: string | undefined) => {
    if (!secret || secret.length < MIN_SECRET_LENGTH || values.has(secret)) return;
    values.add(secret);
    scrubber = undefined;
  };
  for (const secret of initial) add(secret);
  return {
    add,
    reveal(secret) {
      if (values.delete(secret)) scrubber = undefined;
    },
    scrub(text) {
      scrubber ??= createSecretScrubber(values);
      return scrubber(text);
    },
  };
}
