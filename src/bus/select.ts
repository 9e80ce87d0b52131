/**
 * Which bus a process uses: NATS when a URL is given (`--nats URL` or CRYPY_NATS_URL), otherwise
 * the in-process LocalBus, so that nothing but Node is needed to run crypy.
 */
import type { Bus } from "./bus.js";
import { LocalBus } from "./local/local-bus.js";

export const NATS_URL_ENV = "CRYPY_NATS_URL";

export interface BusSelection {
  /** From `--nats`; wins over the environment. */
  natsUrl?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Connection name for NATS. */
  name?: string;
}

/** The NATS URL in effect, or undefined for the embedded bus. */
export function selectedNatsUrl(selection: BusSelection = {}): string | undefined {
  const env = selection.env ?? process.env;
  const url = selection.natsUrl ?? env[NATS_URL_ENV];
  return url === undefined || url.trim() === "" ? undefined : url.trim();
}

export async function createBus(selection: BusSelection = {}): Promise<Bus> {
  const url = selectedNatsUrl(selection);
  if (url === undefined) return new LocalBus();
  // Loaded only when asked for: the embedded default never pays for the NATS client.
  const { NatsBus } = await import("./nats/nats-bus.js");
  return NatsBus.connect(url, selection.name === undefined ? {} : { name: selection.name });
}
