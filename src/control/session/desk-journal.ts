/**
 * Which journal a session's Desk writes (`--journal file|jetstream`): the file in the state
 * directory (the default, nothing but Node needed), or a JetStream stream on the session's NATS
 * server. JetStream needs a NATS bus: asking for it without one is an error that says so.
 */
import type { DeskJournal } from "../../actors/desk/journal/entries.js";
import { FileDeskJournal } from "../../actors/desk/journal/file.js";
import { NATS_URL_ENV, selectedNatsCreds, selectedNatsUrl } from "../../bus/select.js";
import { InvalidInputError } from "../../domain/errors.js";
import { ensurePrivateDir, stateDir } from "../registry/state-dir.js";

export const JOURNAL_KINDS = ["file", "jetstream"] as const;
export type JournalKind = (typeof JOURNAL_KINDS)[number];

export interface OpenedJournal {
  journal: DeskJournal;
  /** Where it is, for the session's first lines. */
  where: string;
  /** A torn tail the file journal cut on open (bytes; 0 for JetStream). */
  cutBytes: number;
  close(): Promise<void>;
}

/** Throws unless `kind` can run with the bus given (`natsUrl`: --nats, else the environment). */
export function checkJournalKind(kind: JournalKind | undefined, natsUrl: string | undefined): void {
  if (kind === "jetstream" && selectedNatsUrl({ natsUrl }) === undefined) {
    throw new InvalidInputError(
      `--journal jetstream needs a NATS server: pass --nats URL (or set ${NATS_URL_ENV}); the embedded bus has no JetStream`,
    );
  }
}

export async function openDeskJournal(
  kind: JournalKind,
  desk: string,
  natsUrl: string | undefined,
): Promise<OpenedJournal> {
  if (kind === "file") {
    const journal = await FileDeskJournal.open(ensurePrivateDir(stateDir()), desk);
    return {
      journal,
      where: `the file journal in ${stateDir()}/journal/${desk}/`,
      cutBytes: journal.cutBytes,
      close: () => journal.close(),
    };
  }
  checkJournalKind(kind, natsUrl);
  const url = selectedNatsUrl({ natsUrl })!;
  // Loaded only when asked for, like the NATS bus.
  const { connect } = await import("@nats-io/transport-node");
  const { readCredentials } = await import("../../bus/nats/credentials.js");
  const { connectError, withoutPassword } = await import("../../bus/nats/nats-errors.js");
  const { JetStreamDeskJournal } = await import("../../actors/desk/journal/jetstream.js");
  const credsFile = selectedNatsCreds({});
  const creds = credsFile === undefined ? undefined : await readCredentials(credsFile);
  // A connection of its own: the journal outlives the bus's drain at the end of the session and
  // waits out a server restart (its publishes retry meanwhile, jetstream-publish.ts).
  let nc: Awaited<ReturnType<typeof connect>>;
  try {
    nc = await connect({
      servers: url.split(",").map((s) => s.trim()),
      name: `crypy-journal-${desk}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      ...(creds === undefined
        ? {}
        : { user: creds.user, pass: creds.password, inboxPrefix: creds.inboxPrefix }),
    });
  } catch (err) {
    throw connectError(err, withoutPassword(url), creds?.user);
  }
  try {
    const journal = await JetStreamDeskJournal.open(nc, desk);
    return {
      journal,
      where: `the JetStream stream ${journal.stream} at ${withoutPassword(url)}`,
      cutBytes: 0,
      close: async () => {
        await journal.close();
        await nc.close();
      },
    };
  } catch (err) {
    await nc.close();
    throw err;
  }
}
