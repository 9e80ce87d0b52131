/**
 * A loopback HTTP stub of an exchange's REST API: fixed JSON answers per route, every request
 * recorded so a test can read what ccxt sent (path, query, headers, body) and check it against the
 * exchange's documentation. Each exchange's stub (kraken.ts, bybit.ts, …) is only its routes; the
 * bodies are written from that exchange's public API documentation, small and made up.
 *
 * A route is "METHOD /path" (no query); its answer is a fixed reply or a function of the request.
 * A request to a route the stub does not know is answered 404 and still recorded, so a test that
 * expects one more call sees which one ccxt made.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface Reply {
  readonly status?: number;
  readonly body: unknown;
}

export type Route = Reply | ((req: Recorded) => Reply);

export interface StubServer {
  /** http://127.0.0.1:<port>, no trailing slash. */
  readonly url: string;
  readonly requests: Recorded[];
  /** Replaces (or adds) the answer of one route, e.g. a documented error. */
  answer(route: string, reply: Route): void;
  /** The requests made to `route` ("METHOD /path"), oldest first. */
  received(route: string): Recorded[];
  close(): Promise<void>;
}

export async function startStub(routes: Record<string, Route>): Promise<StubServer> {
  const table = new Map(Object.entries(routes));
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const recorded: Recorded = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(recorded);
      const route = table.get(`${recorded.method} ${recorded.path}`);
      const reply: Reply =
        route === undefined
          ? { status: 404, body: { stub: `no route ${recorded.method} ${recorded.path}` } }
          : typeof route === "function"
            ? route(recorded)
            : route;
      res.writeHead(reply.status ?? 200, { "content-type": "application/json" });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer: (route, reply) => table.set(route, reply),
    received: (route) => requests.filter((r) => `${r.method} ${r.path}` === route),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** One header of a recorded request (names are case-insensitive), repeated values joined. */
export function headerValue(req: Recorded, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(",") : value;
}
