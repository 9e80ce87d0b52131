// Development and tests run crypy from TypeScript: a worker thread has no TypeScript loader of its
// own (Node 20 ignores --import in a worker's execArgv), so register tsx here, then load the worker.
import { tsImport } from "tsx/esm/api";

await tsImport("./worker.ts", import.meta.url);
