/**
 * Which bus a process uses: NATS when a URL is given (`--nats URL` or CRYPY_NATS_URL), otherwise
 * the in-process LocalBus, so that nothing but Node is needed to run crypy. On NATS, a process
 * connects as its role's user when given a credentials file (`--nats-creds FILE` or
 * CRYPY_NATS_CREDS, written by `crypy nats config`).
 */
import { InvalidInputError } from "../domain/errors.js";
import type { Bus } from "./bus.js";
import { LocalBus } from "./local/local-bus.js";

export const NATS_URL_ENV = "CRYPY_NATS_URL";
export const NATS_CREDS_ENV = "CRYPY_NATS_CREDS";

export interface BusSelection {
  /** From `--nats`; wins over the environment. */
  natsUrl?: string | undefined;
  /** From `--nats-creds`: a credentials file; wins over the environment. */
  natsCreds?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Connection name for NATS. */
  name?: string;
}

/** The NATS URL in effect, or undefined for the embedded bus. */
export function selectedNatsUrl(selection: BusSelection = {}): string | undefined {
  const env = selection.env ?? process.env;
  return nonEmpty(selection.natsUrl ?? env[NATS_URL_ENV]);
}

/** The credentials file in effect, or undefined to connect without credentials. */
export function selectedNatsCreds(selection: BusSelection = {}): string | undefined {
  const env = selection.env ?? process.env;
  return nonEmpty(selection.natsCreds ?? env[NATS_CREDS_ENV]);
}

export async function createBus(selection: BusSelection = {}): Promise<Bus> {
  const url = selectedNatsUrl(selection);
  const credsFile = selectedNatsCreds(selection);
  if (url === undefined) {
    if (credsFile !== undefined) {
      throw new InvalidInputError(
        `NATS credentials ${credsFile} given (--nats-creds or ${NATS_CREDS_ENV}) but no NATS server: pass --nats URL or set ${NATS_URL_ENV}`,
      );
    }
    return new LocalBus();
  }
  // Loaded only when asked for: the embedded default never pays for the NATS client.
  const { NatsBus } = await import("./nats/nats-bus.js");
  const { readCredentials } = await import("./nats/credentials.js");
  const credentials = credsFile === undefined ? undefined : await readCredentials(credsFile);
  return NatsBus.connect(url, {
    ...(selection.name === undefined ? {} : { name: selection.name }),
    ...(credentials === undefined ? {} : { credentials }),
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
