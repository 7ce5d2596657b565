import { isIP } from 'node:net';

/**
 * Where a purchase order may be sent. A supplier URL is configuration an attacker with access to
 * settings (or to DNS) could point at the cloud metadata endpoint or an internal service; so the
 * host must be on the allow-list, and every address it resolves to is checked — at boot and again
 * at send time, on the address the socket actually connects to.
 */
export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'reserved';

export interface NetworkPolicy {
  /** Hosts a supplier URL may name: exact names or `*.example.com` for subdomains. */
  readonly allowedHosts: readonly string[];
  readonly allowLoopback: boolean;
  readonly allowPrivateNetworks: boolean;
}

type Cidr = readonly [bytes: readonly number[], prefix: number, kind: Exclude<AddressClass, 'public'>];

const V4: readonly Cidr[] = [
  [[127, 0, 0, 0], 8, 'loopback'],
  [[10, 0, 0, 0], 8, 'private'],
  [[172, 16, 0, 0], 12, 'private'],
  [[192, 168, 0, 0], 16, 'private'],
  [[100, 64, 0, 0], 10, 'private'], // carrier-grade NAT
  [[169, 254, 0, 0], 16, 'link-local'], // includes the cloud metadata endpoint
  [[0, 0, 0, 0], 8, 'reserved'],
  [[192, 0, 0, 0], 24, 'reserved'],
  [[198, 18, 0, 0], 15, 'reserved'],
  [[224, 0, 0, 0], 4, 'reserved'], // multicast, then 240/4 and broadcast
  [[240, 0, 0, 0], 4, 'reserved'],
];

const V6: readonly Cidr[] = [
  [[...Array<number>(15).fill(0), 1], 128, 'loopback'],
  [Array<number>(16).fill(0), 128, 'reserved'], // ::
  [[0xfc, ...Array<number>(15).fill(0)], 7, 'private'], // unique local
  [[0xfe, 0x80, ...Array<number>(14).fill(0)], 10, 'link-local'],
  [[0xfe, 0xc0, ...Array<number>(14).fill(0)], 10, 'private'], // deprecated site-local
  [[0xff, ...Array<number>(15).fill(0)], 8, 'reserved'], // multicast
];

function inCidr(bytes: readonly number[], [base, prefix]: Cidr): boolean {
  for (let bit = 0; bit < prefix; bit++) {
    const mask = 0x80 >> (bit % 8);
    if ((bytes[bit >> 3] & mask) !== (base[bit >> 3] & mask)) {
      return false;
    }
  }
  return true;
}

function ipv4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

/** 16 bytes of an IPv6 address, `::` and a trailing dotted IPv4 included. */
function ipv6Bytes(address: string): number[] {
  let text = address.split('%')[0];
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    tail.push(...ipv4Bytes(dotted[1]));
    text = `${text.slice(0, -dotted[1].length)}0:0`;
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (part: string | undefined) => (part ? part.split(':').filter((g) => g !== '') : []);
  const left = groups(head);
  const right = groups(rest);
  const zeros = rest === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  const bytes = [...left, ...zeros, ...right].flatMap((group) => {
    const value = parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
  if (tail.length === 4) {
    bytes.splice(12, 4, ...tail);
  }
  return bytes;
}

/** The class of an IP literal (IPv4-mapped IPv6 is judged as the IPv4 address it carries). */
export function classifyAddress(address: string): AddressClass {
  const family = isIP(address.split('%')[0]);
  if (family === 0) {
    throw new Error(`not an IP address: ${address}`);
  }
  let bytes = family === 4 ? ipv4Bytes(address) : ipv6Bytes(address);
  let table = family === 4 ? V4 : V6;
  const mapped =
    bytes.length === 16 &&
    bytes.slice(0, 10).every((b) => b === 0) &&
    bytes[10] === 0xff &&
    bytes[11] === 0xff;
  if (mapped) {
    bytes = bytes.slice(12);
    table = V4;
  }
  return table.find((cidr) => inCidr(bytes, cidr))?.[2] ?? 'public';
}

/** Why connecting to `address` is refused under `policy`; undefined when it is allowed. */
export function addressRefusal(address: string, policy: NetworkPolicy): string | undefined {
  const kind = classifyAddress(address);
  if (kind === 'public') {
    return undefined;
  }
  if (kind === 'loopback' && policy.allowLoopback) {
    return undefined;
  }
  if (kind === 'private' && policy.allowPrivateNetworks) {
    return undefined;
  }
  // Link-local (cloud metadata) and reserved ranges are never a supplier, whatever is allowed.
  return `${address} is a ${kind} address`;
}

/** A URL hostname without IPv6 brackets, lower case. */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

export function hostAllowed(host: string, allowedHosts: readonly string[]): boolean {
  const name = host.toLowerCase();
  return allowedHosts.some((entry) => {
    const allowed = entry.toLowerCase();
    return allowed.startsWith('*.') ? name.endsWith(allowed.slice(1)) : name === allowed;
  });
}

/** What is wrong with a supplier URL before any DNS lookup: scheme, allow-list, literal address. */
export function urlRefusal(url: URL, policy: NetworkPolicy): string | undefined {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return 'must be an http(s) URL';
  }
  if (url.username || url.password) {
    return 'must not carry credentials';
  }
  const host = bareHost(url);
  if (!hostAllowed(host, policy.allowedHosts)) {
    return `host ${host} is not on INVENTORY_SUPPLIER_ALLOWED_HOSTS`;
  }
  return isIP(host) ? addressRefusal(host, policy) : undefined;
}
