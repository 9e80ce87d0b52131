/**
 * The control plane of one process: each actor's own telnet endpoint (loopback and an OS-chosen
 * port unless configured), the runtime registry that says where they listen, the audit log every
 * mutating command is written to — from telnet or from the bus — and the operator gate that says
 * who a bus request speaks for (an operator key the state directory trusts, or nobody).
 *
 * The gate's replay window is on this machine's wall clock, never the actors' (a simulation may
 * run at 60× or as fast as it can): a signed request is the operator's for 60 s of real time, once.
 */

import { OperatorGate } from "../actors/commands/operator.js";
import type { AuditSink } from "../actors/commands/types.js";
import type { Actor, ControlHost } from "../actors/runtime/actor.js";
import type { Logger } from "../log/logger.js";
import { listen } from "./endpoint/server.js";
import { CommandSession } from "./endpoint/session.js";
import { type EndpointTokens, endpointTokens } from "./endpoint/tokens.js";
import type { ControlEndpoint } from "./endpoint/types.js";
import { auditFile, fileAudit } from "./registry/audit-file.js";
import { StateDirOperators } from "./registry/operators.js";
import { ProcessRegistry } from "./registry/registry.js";
import { stateDir } from "./registry/state-dir.js";

export interface ControlPlaneOptions {
  /** Address every endpoint binds. Default 127.0.0.1; another needs CRYPY_CONTROL_TOKEN. */
  host?: string;
  /** Fixed ports by actor id; the rest are chosen by the OS. */
  ports?: Readonly<Record<string, number>>;
  /** Default: from the environment (CRYPY_CONTROL_TOKEN, CRYPY_CONTROL_READ_TOKEN). */
  tokens?: EndpointTokens;
  /** Default: the state directory's audit.log. */
  audit?: AuditSink;
  /** Default: the operators the state directory trusts (registry/operators.ts), on wall time. */
  operators?: OperatorGate;
  /** Default: this process's file in the state directory; null: none. */
  registry?: ProcessRegistry | null;
  log?: Logger;
  idleMs?: number;
  maxConnections?: number;
}

const CLOSE_GRACE_MS = 500;

export class ControlPlane implements ControlHost {
  readonly audit: AuditSink;
  readonly operators: OperatorGate;
  private readonly host: string;
  private readonly tokens: EndpointTokens;
  private readonly registry: ProcessRegistry | undefined;
  private readonly endpoints = new Map<string, Promise<ControlEndpoint>>();

  /** Throws an InvalidInputError naming what is missing when the host needs a token. */
  constructor(private readonly options: ControlPlaneOptions = {}) {
    this.host = options.host ?? "127.0.0.1";
    this.tokens = options.tokens ?? endpointTokens(this.host);
    this.audit = options.audit ?? fileAudit(auditFile(), options.log);
    this.operators =
      options.operators ??
      new OperatorGate(new StateDirOperators(stateDir(), options.log), { now: Date.now });
    this.registry =
      options.registry === null ? undefined : (options.registry ?? new ProcessRegistry());
  }

  async open(actor: Actor): Promise<string> {
    const opening = listen({
      host: this.host,
      port: this.options.ports?.[actor.id] ?? 0,
      ...(this.options.idleMs === undefined ? {} : { idleMs: this.options.idleMs }),
      ...(this.options.maxConnections === undefined
        ? {}
        : { maxConnections: this.options.maxConnections }),
      session: (peer) => new CommandSession(actor, peer, this.tokens),
    });
    this.endpoints.set(actor.id, opening);
    const endpoint = await opening;
    const address = `${endpoint.host}:${endpoint.port}`;
    if (this.endpoints.get(actor.id) === opening)
      this.registry?.add({ id: actor.id, kind: actor.kind, control: address });
    return address;
  }

  close(actor: Actor): void {
    const endpoint = this.endpoints.get(actor.id);
    if (endpoint === undefined) return;
    this.endpoints.delete(actor.id);
    this.registry?.remove(actor.id);
    // A moment's grace: the command that ended the actor (a Trader's exit) still gets its answer.
    const timer = setTimeout(() => {
      void endpoint.then((e) => e.close()).catch(() => {});
    }, CLOSE_GRACE_MS);
    timer.unref();
  }

  /** Closes every endpoint and removes this process from the registry. */
  async closeAll(): Promise<void> {
    const all = [...this.endpoints.values()];
    this.endpoints.clear();
    await Promise.allSettled(all.map(async (e) => (await e).close()));
    this.registry?.clear();
  }
}
