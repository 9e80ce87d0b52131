/**
 * `crypy doctor`: checks that this machine can run crypy, and that the selected bus works end to
 * end (a publish/subscribe and a request/reply round trip through the real bus, codec included).
 */
import { spawnSync } from "node:child_process";
import type { Bus } from "../bus/bus.js";
import { formatError } from "../domain/errors.js";

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** A failed optional check is reported but does not fail the doctor. */
  optional?: boolean;
}

const MIN_NODE_MAJOR = 20;

export function checkNode(version = process.versions.node): Check {
  const major = Number(version.split(".")[0]);
  return {
    name: "node",
    ok: major >= MIN_NODE_MAJOR,
    detail: `v${version}${major >= MIN_NODE_MAJOR ? "" : ` (crypy needs >= ${MIN_NODE_MAJOR})`}`,
  };
}

/** Where Debian and others put nats-server off a normal user's PATH. */
const SBIN_NATS = ["/usr/sbin/nats-server", "/usr/local/sbin/nats-server"];

/**
 * nats-server is needed only for the NATS mode's own server and for the integration tests. Found
 * on PATH, or where Debian installs it (/usr/sbin), which is not on every user's PATH.
 */
export function checkNatsServer(
  candidates: readonly string[] = ["nats-server", ...SBIN_NATS],
): Check {
  for (const command of candidates) {
    const probe = spawnSync(command, ["--version"], { encoding: "utf8", timeout: 5_000 });
    if (probe.status === 0) {
      const where = command.includes("/") ? ` (${command}, not on PATH)` : "";
      return {
        name: "nats-server",
        ok: true,
        optional: true,
        detail: `${probe.stdout.trim()}${where}`,
      };
    }
  }
  return {
    name: "nats-server",
    ok: false,
    optional: true,
    detail: `not on PATH nor in ${SBIN_NATS.map((p) => p.slice(0, p.lastIndexOf("/"))).join(", ")} (needed only for --nats with a local server and for npm test; Debian: apt-get install nats-server)`,
  };
}

export async function checkBus(bus: Bus, where: string): Promise<Check> {
  const subject = `crypy.sys.doctor.${process.pid}.${Date.now()}`;
  const started = process.hrtime.bigint();
  try {
    const echoed = new Promise<unknown>((resolve) => {
      const sub = bus.subscribe(`${subject}.pub`, (data) => {
        sub.unsubscribe();
        resolve(data);
      });
    });
    bus.serve(`${subject}.req`, (data) => data);
    await bus.flush();
    const probe = { price: "23140.48", at: started.toString() };
    bus.publish(`${subject}.pub`, probe);
    const [published, replied] = await Promise.all([
      echoed,
      bus.request(`${subject}.req`, probe, { timeoutMs: 3_000 }),
    ]);
    const same = JSON.stringify(published) === JSON.stringify(probe);
    const sameReply = JSON.stringify(replied) === JSON.stringify(probe);
    const micros = Number(process.hrtime.bigint() - started) / 1_000;
    return {
      name: "bus",
      ok: same && sameReply,
      detail: `${where}: publish/subscribe and request/reply round trip in ${micros.toFixed(0)} µs`,
    };
  } catch (err) {
    return { name: "bus", ok: false, detail: `${where}: ${formatError(err)}` };
  }
}

export function formatChecks(checks: Check[]): string {
  return checks
    .map((c) => `${c.ok ? "ok  " : c.optional ? "warn" : "FAIL"}  ${c.name.padEnd(12)} ${c.detail}`)
    .join("\n");
}

export function doctorPassed(checks: Check[]): boolean {
  return checks.every((c) => c.ok || c.optional === true);
}
