import { lookup as dnsLookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/** Resolves a host name to its addresses (`dns.promises.lookup` with `all: true`). */
export type HostLookup = (hostname: string) => Promise<readonly { address: string }[]>;

/** Says why a URL must not be fetched, or `undefined` when it may be. */
export type AddressGuard = (url: URL, explicitlyAllowed: boolean) => Promise<string | undefined>;

const defaultLookup: HostLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * Creates the check that keeps jobs off this machine and the cloud metadata service: an
 * allow-listed name (say `*.example.com`) that resolves to a loopback (127.0.0.0/8, ::1),
 * link-local (169.254.0.0/16, fe80::/10, where 169.254.169.254 lives) or unspecified address is
 * refused. An IP literal the allow-list names exactly is the user's explicit choice and passes.
 * The check resolves the name just before the fetch, so it does not stop DNS rebinding between the
 * two lookups: the allow-list stays the real boundary.
 *
 * @param lookup - DNS lookup; default `dns.promises.lookup`.
 * @example
 * const guard = createAddressGuard();
 * await guard(new URL("https://localtest.me/a.png"), false) // "… resolves to a local address"
 */
export function createAddressGuard(lookup: HostLookup = defaultLookup): AddressGuard {
  const local = new BlockList();
  local.addSubnet("127.0.0.0", 8, "ipv4");
  local.addSubnet("0.0.0.0", 8, "ipv4");
  local.addSubnet("169.254.0.0", 16, "ipv4");
  local.addAddress("::1", "ipv6");
  local.addAddress("::", "ipv6");
  local.addSubnet("fe80::", 10, "ipv6");
  const isLocal = (address: string) => local.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
  return async function guardAddress(url, explicitlyAllowed) {
    const hostname = url.hostname.replace(/^\[|\]$/g, "");
    if (isIP(hostname) !== 0) {
      return !explicitlyAllowed && isLocal(hostname) ? `Host ${url.host} is a local address.` : undefined;
    }
    let addresses: readonly { address: string }[];
    try {
      addresses = await lookup(hostname);
    } catch {
      return `Host ${url.host} could not be resolved.`;
    }
    return addresses.some(({ address }) => isLocal(address))
      ? `Host ${url.host} resolves to a local address (loopback or link-local), which jobs may not fetch.`
      : undefined;
  };
}
