// `[::1]` as a URL's hostname writes it, `::1` and `::ffff:127.0.0.1` as a socket's remote address does.
const LOOPBACK = /^(localhost|::1|\[::1\]|(::ffff:)?127(\.\d{1,3}){3})$/i;

/**
 * Whether a host is this machine's loopback interface: `localhost`, an address in 127.0.0.0/8,
 * `::1` (with or without the brackets a URL puts around it) or a socket's IPv4-mapped `::ffff:127.x.x.x`.
 * **The one loopback check** in psapi: where plain `http:` is accepted (a local emulator), and
 * which peers and `Host` names the emulator's control API answers.
 *
 * `*.localhost` names are not loopback here: Node resolves them through DNS like any other name,
 * so plain http to one could carry a secret off the machine.
 *
 * @param host A parsed URL, a URL's `hostname`, or a socket's remote address.
 * @example
 * isLoopback(new URL("http://[::1]:4010")) // true
 * isLoopback("::ffff:127.0.0.1") // true
 * isLoopback("image.adobe.io") // false
 * @see https://www.rfc-editor.org/rfc/rfc6761#section-6.3 (localhost), RFC 4291 §2.5.3 (::1)
 */
export function isLoopback(host: string | URL): boolean {
  return LOOPBACK.test(typeof host === "string" ? host : host.hostname);
}
