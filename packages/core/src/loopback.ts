const IPV4_LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * Whether a host is this machine's loopback interface: `localhost`, an address in 127.0.0.0/8,
 * `::1` (with or without the brackets a URL puts around it) or an IPv4-mapped `::ffff:127.x.x.x`.
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
  let name = (typeof host === "string" ? host : host.hostname).toLowerCase();
  if (name.startsWith("[") && name.endsWith("]")) name = name.slice(1, -1);
  if (name.startsWith("::ffff:")) name = name.slice("::ffff:".length);
  return name === "localhost" || name === "::1" || IPV4_LOOPBACK.test(name);
}
