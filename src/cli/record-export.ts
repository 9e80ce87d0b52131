/**
 * `crypy record --export-after 30d --export-to DIR`: while recording, the local store's candles
 * older than the age are exported to Parquet (src/store/parquet) at start and then once a day of
 * the recorder's clock, so the archive grows as the recording does. An export never overlaps the
 * previous one, and a failed export is logged and retried the next day: it never stops recording.
 * Nothing is pruned (the local store cannot delete yet).
 */

import { InvalidInputError } from "../domain/errors.js";
import { parseTimeframe } from "../domain/timeframe.js";
import type { Logger } from "../log/logger.js";
import type { Clock, TimerHandle } from "../time/clock.js";

const DAY_MS = 86_400_000;

export interface RecordExportOptions {
  exportAfter?: string | undefined;
  exportTo?: string | undefined;
  dataDir?: string | undefined;
}

/** Checks the options before recording starts; undefined when no export was asked for. */
export function recordExportAge(options: RecordExportOptions): number | undefined {
  if (options.exportAfter === undefined && options.exportTo === undefined) return undefined;
  if (options.exportAfter === undefined || options.exportTo === undefined) {
    throw new InvalidInputError("--export-after and --export-to go together");
  }
  try {
    return parseTimeframe(options.exportAfter);
  } catch {
    throw new InvalidInputError(
      `--export-after takes an age like 30d, got ${JSON.stringify(options.exportAfter)}`,
    );
  }
}

/** Starts the daily export; the returned function stops it and waits for one running. */
export function startRecordExport(
  options: RecordExportOptions,
  clock: Clock,
  log: Logger,
): () => Promise<void> {
  const age = recordExportAge(options);
  if (age === undefined) return async () => {};
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  let timer: TimerHandle | undefined;
  let stopped = false;
  const once = async () => {
    const { exportParquet } = await import("../store/parquet/export.js");
    const r = await exportParquet({
      to: options.exportTo!,
      olderThanMs: age,
      now: clock.now(),
      dataDir: options.dataDir,
    });
    const rows = r.partitions.reduce((n, p) => n + p.rows, 0);
    log.info({ files: r.partitions.length, rows, to: options.exportTo }, "record.exported");
  };
  const tick = () => {
    if (stopped) return;
    if (!busy) {
      busy = true;
      running = once()
        .catch((err: unknown) => log.error({ err }, "record.export_failed"))
        .finally(() => {
          busy = false;
        });
    }
    timer = clock.setTimeout(tick, DAY_MS);
  };
  tick();
  return async () => {
    stopped = true;
    if (timer !== undefined) clock.clearTimeout(timer);
    await running;
  };
}
