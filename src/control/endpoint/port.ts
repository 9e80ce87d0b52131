/**
 * A control port a user asked for by number: checked before anything starts, so a typo or a port
 * already taken stops the session with one clear error instead of a Desk nobody can reach.
 */
import { createServer } from "node:net";
import { InvalidInputError } from "../../domain/errors.js";

/** Resolves when `host:port` can be bound now; else an InvalidInputError saying why. */
export function assertPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (err: NodeJS.ErrnoException) => {
      const why =
        err.code === "EADDRINUSE"
          ? "is already in use (another crypy, or another program, listens there)"
          : err.code === "EACCES"
            ? "needs privileges this user does not have"
            : `cannot be bound (${err.code ?? err.message})`;
      reject(new InvalidInputError(`control port ${host}:${port} ${why}`));
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
