/**
 * Tests never reach beyond loopback (DESIGN.md, Reliability): in every test worker, a TCP or TLS
 * connection to anything but a loopback address, and a DNS lookup of anything but localhost, fail
 * at once with an error saying so — a real exchange is stood in for by `crypy venue serve` or a
 * loopback stub. Child processes a test starts (the crypy CLI) are not covered by this hook; they
 * are only ever pointed at loopback servers the tests start.
 */
import dns from "node:dns";
import net from "node:net";
import tls from "node:tls";

const LOOPBACK_NAMES = new Set(["localhost", "localhost.", ""]);

export class BeyondLoopbackError extends Error {
  constructor(what: string) {
    super(`tests may not reach beyond loopback: ${what}`);
    this.name = "BeyondLoopbackError";
  }
}

/** Whether `host` is loopback: 127.0.0.0/8, ::1, localhost (or unset: Node's default is local). */
export function isLoopback(host: unknown): boolean {
  if (host === undefined || host === null) return true;
  if (typeof host !== "string") return false;
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (LOOPBACK_NAMES.has(h)) return true;
  if (net.isIPv4(h)) return h.startsWith("127.");
  if (net.isIPv6(h)) return h === "::1" || h.startsWith("::ffff:127.");
  return false;
}

/** The host a `connect(...)` call aims at, whatever form its arguments take (undefined: a path). */
function hostOf(args: unknown[]): { host: unknown; path: boolean } {
  // net.connect hands Socket#connect its arguments already normalised, as one array.
  if (Array.isArray(args[0])) return hostOf(args[0] as unknown[]);
  const [first, second] = args;
  if (typeof first === "object" && first !== null && !Array.isArray(first)) {
    const o = first as { host?: unknown; path?: unknown };
    return { host: o.host, path: typeof o.path === "string" };
  }
  if (typeof first === "string" && Number.isNaN(Number(first)))
    return { host: undefined, path: true };
  return { host: typeof second === "string" ? second : undefined, path: false };
}

const original = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const { host, path } = hostOf(args);
  if (!path && !isLoopback(host)) throw new BeyondLoopbackError(`a connection to ${String(host)}`);
  return (original as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

const originalTls = tls.connect;
(tls as { connect: unknown }).connect = (...args: unknown[]) => {
  const { host, path } = hostOf(args);
  if (!path && !isLoopback(host))
    throw new BeyondLoopbackError(`a TLS connection to ${String(host)}`);
  return (originalTls as (...a: unknown[]) => tls.TLSSocket)(...args);
};

const originalLookup = dns.lookup;
(dns as { lookup: unknown }).lookup = (hostname: string, ...rest: unknown[]) => {
  if (!isLoopback(hostname)) throw new BeyondLoopbackError(`a DNS lookup of ${hostname}`);
  return (originalLookup as (...a: unknown[]) => void)(hostname, ...rest);
};
const originalPromiseLookup = dns.promises.lookup;
(dns.promises as { lookup: unknown }).lookup = (hostname: string, ...rest: unknown[]) => {
  if (!isLoopback(hostname))
    return Promise.reject(new BeyondLoopbackError(`a DNS lookup of ${hostname}`));
  return (originalPromiseLookup as (...a: unknown[]) => Promise<unknown>)(hostname, ...rest);
};
