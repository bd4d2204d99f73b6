import { isLoopback } from "@psapi/core";

// RFC 6761 §6.3: a browser resolves `*.localhost` to loopback itself (no DNS), so a DNS-rebinding
// page cannot be named so.
const LOCALHOST_SUBDOMAIN = /^[a-z0-9-]+\.localhost$/i;

/**
 * Whether a request's `Host` names this machine in a way a page on another site cannot take over
 * by DNS rebinding: a loopback name (core's `isLoopback`) or a `*.localhost` name. For the names
 * the emulator's control API and the recording proxy answer to; not for where plain http may be
 * sent (`isLoopback` alone: Node resolves `*.localhost` through DNS like any other name).
 *
 * @param url The request's URL, whose host is the `Host` it was sent with.
 * @example
 * isLocalHostName(new URL("http://psapi.localhost:4010/__emulator/clock")) // true
 * isLocalHostName(new URL("http://evil.example:4010/__emulator/clock")) // false
 */
export function isLocalHostName(url: URL): boolean {
  return isLoopback(url) || LOCALHOST_SUBDOMAIN.test(url.hostname);
}
