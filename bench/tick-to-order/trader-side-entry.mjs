// A worker thread has no TypeScript loader of its own (Node 20 ignores --import in a worker's
// execArgv): register tsx here, then load the Trader side.
import { tsImport } from "tsx/esm/api";

await tsImport("./trader-side.ts", import.meta.url);
