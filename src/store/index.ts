/** The local market-data store's public names. */
export {
  type CandleStore,
  type ImportFileOptions,
  type ImportResult,
  openStore,
} from "./candle-store.js";
export {
  checkKind,
  describeLoaded,
  type FileKind,
  type LoadedFile,
  type LoadOptions,
  loadMarketFile,
} from "./import-file.js";
export type { ReadRange } from "./read-range.js";
export { resample } from "./resample.js";
export { type Gap, missingCandles, type StoredSeries } from "./series-index.js";
export { defaultDataDir, type SeriesKey } from "./series-key.js";
