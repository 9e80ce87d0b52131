/**
 * The contract between a control endpoint's transport (TCP + telnet line discipline, server.ts)
 * and what a connection talks to (a session: authentication, roles, the command language).
 * The transport knows bytes and lines; the session knows commands. Neither knows the other's inside.
 */

/** One connection's conversation, line by line. */
export interface LineSession {
  /** Sent once when the connection opens: a banner and the first prompt. */
  open(): string;
  /**
   * One line the peer sent, with its line ending, telnet commands and erased characters removed.
   * Resolves with the text to send back ('\n' line breaks; the transport sends CRLF), and whether
   * to close the connection once it is sent. Lines are handed over one at a time, in order.
   */
  line(text: string): Promise<LineReply>;
  /** The connection is gone (closed by either side, idle, or an error). Called once. */
  closed(): void;
}

export interface LineReply {
  text: string;
  close?: boolean;
}

export interface EndpointOptions {
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** Port to bind; 0 (the default) lets the OS choose. */
  port?: number;
  /** Longest line accepted, in bytes; a longer one is refused whole. Default 4096. */
  maxLineBytes?: number;
  /** A connection with no input for this long is closed. Default 15 minutes. */
  idleMs?: number;
  /** Connections at once; one more is told so and closed. Default 16. */
  maxConnections?: number;
  /** Builds the session of a new connection; `peer` is "address:port" of the other side. */
  session(peer: string): LineSession;
}

export interface ControlEndpoint {
  /** Where it listens (the OS-chosen port when 0 was asked). */
  readonly host: string;
  readonly port: number;
  /** Open connections now. */
  readonly connections: number;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}
