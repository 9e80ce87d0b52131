/** Terminal output: run summaries, charts and progress. */
export { type ChartOptions, equityChart, lineChart } from "./chart.js";
export {
  Progress,
  type ProgressOptions,
  type ProgressStream,
  progressBar,
} from "./progress.js";
export { summaryTable } from "./summary.js";
