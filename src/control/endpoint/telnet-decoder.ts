/**
 * Telnet line discipline, as a pure incremental decoder: bytes in (chunks split anywhere), events
 * out (complete lines, "that line was too long", bytes to send back for telnet negotiation).
 *
 * Invariants:
 * - A chunk boundary never changes the result: feeding bytes one at a time or all at once gives the
 *   same events, in the same order.
 * - Memory stays bounded whatever the peer sends: the line being built is at most `maxLineBytes`
 *   bytes, a subnegotiation is counted, never stored, and option replies are remembered in a set of
 *   at most 2 × 256 entries.
 * - CR LF, CR NUL, a lone LF and a lone CR each end exactly one line.
 * - We refuse every option (DO → WONT, WILL → DONT), answer each (verb, option) at most once per
 *   connection, and never answer a refusal (RFC 854, RFC 1143), so no negotiation can loop.
 * - A line longer than `maxLineBytes` yields one `overlong` event and no `line` event; its bytes up
 *   to the next line ending are dropped as they arrive.
 */

export type DecoderEvent =
  | { kind: "line"; text: string }
  | { kind: "overlong" }
  | { kind: "reply"; bytes: Buffer };

export interface TelnetDecoderOptions {
  /** Longest line kept, in bytes after telnet commands and control characters are removed. */
  maxLineBytes: number;
  /** A subnegotiation with no IAC SE within this many bytes is dropped. Default 512. */
  maxSubnegotiationBytes?: number;
}

const IAC = 255;
const DONT = 254;
const DO = 253;
const WONT = 252;
const WILL = 251;
const SB = 250;
const EL = 248;
const EC = 247;
const AYT = 246;
const SE = 240;

const CR = 0x0d;
const LF = 0x0a;
const NUL = 0x00;
const BS = 0x08;
const TAB = 0x09;
const DEL = 0x7f;

/** What the peer asked about its next byte: plain data, or a part of a telnet command. */
type State = "data" | "iac" | "option" | "sb" | "sb-iac";

const AYT_REPLY = Buffer.from("\r\n[yes]\r\n", "latin1");

export class TelnetDecoder {
  private readonly maxLineBytes: number;
  private readonly maxSubnegotiationBytes: number;
  private readonly line: Buffer;
  private length = 0;
  /** The current line passed maxLineBytes: drop its bytes until the next line ending. */
  private discarding = false;
  /** The last byte ended a line with CR: a LF or NUL right after it belongs to that ending. */
  private afterCr = false;
  private state: State = "data";
  private verb = 0;
  private subnegotiationBytes = 0;
  /** (verb << 8 | option) pairs already answered. */
  private readonly answered = new Set<number>();
  private events: DecoderEvent[] = [];

  constructor(options: TelnetDecoderOptions) {
    if (!Number.isInteger(options.maxLineBytes) || options.maxLineBytes < 1) {
      throw new RangeError(`maxLineBytes must be a positive integer, got ${options.maxLineBytes}`);
    }
    this.maxLineBytes = options.maxLineBytes;
    this.maxSubnegotiationBytes = options.maxSubnegotiationBytes ?? 512;
    this.line = Buffer.alloc(this.maxLineBytes);
  }

  /** Decodes one chunk; returns the events it completes, in order. */
  push(chunk: Uint8Array): DecoderEvent[] {
    this.events = [];
    for (const byte of chunk) this.byte(byte);
    const events = this.events;
    this.events = [];
    return events;
  }

  private byte(b: number): void {
    switch (this.state) {
      case "data":
        this.data(b);
        break;
      case "iac":
        this.state = "data";
        this.command(b);
        break;
      case "option":
        this.state = "data";
        this.negotiate(this.verb, b);
        break;
      case "sb":
        if (b === IAC) this.state = "sb-iac";
        this.countSubnegotiation();
        break;
      case "sb-iac":
        // IAC IAC is an escaped 255 inside the subnegotiation; anything but SE is malformed and
        // skipped with it, so we resync at IAC SE or at the size bound.
        this.state = b === SE ? "data" : "sb";
        if (this.state === "sb") this.countSubnegotiation();
        break;
    }
  }

  private data(b: number): void {
    const afterCr = this.afterCr;
    this.afterCr = false;
    if (b === IAC) {
      this.state = "iac";
    } else if (afterCr && (b === LF || b === NUL)) {
      // The second half of CR LF or CR NUL: the line already ended at the CR.
    } else if (b === CR || b === LF) {
      this.afterCr = b === CR;
      this.endLine();
    } else if (b === BS || b === DEL) {
      this.eraseChar();
    } else if (b === TAB) {
      this.append(0x20);
    } else if (b >= 0x20) {
      this.append(b);
    }
    // Other C0 controls (NUL, BEL, ESC, …) are dropped: they have no place in a command line.
  }

  private command(b: number): void {
    switch (b) {
      case IAC:
        this.append(IAC);
        break;
      case DO:
      case DONT:
      case WILL:
      case WONT:
        this.verb = b;
        this.state = "option";
        break;
      case SB:
        this.state = "sb";
        this.subnegotiationBytes = 0;
        break;
      case EC:
        this.eraseChar();
        break;
      case EL:
        if (!this.discarding) this.length = 0;
        break;
      case AYT:
        this.events.push({ kind: "reply", bytes: AYT_REPLY });
        break;
      default:
      // NOP, DM, BRK, IP, AO, GA, a stray SE and unknown commands: nothing to do for a line
      // protocol, and interrupting a running command is the session's business, not ours.
    }
  }

  private negotiate(verb: number, option: number): void {
    // A refusal (WONT, DONT) is never answered; answering it is how negotiation loops start.
    if (verb !== DO && verb !== WILL) return;
    const key = (verb << 8) | option;
    if (this.answered.has(key)) return;
    this.answered.add(key);
    this.events.push({
      kind: "reply",
      bytes: Buffer.from([IAC, verb === DO ? WONT : DONT, option]),
    });
  }

  private countSubnegotiation(): void {
    this.subnegotiationBytes++;
    if (this.subnegotiationBytes > this.maxSubnegotiationBytes) this.state = "data";
  }

  private append(b: number): void {
    if (this.discarding) return;
    if (this.length === this.maxLineBytes) {
      this.discarding = true;
      this.length = 0;
      this.events.push({ kind: "overlong" });
      return;
    }
    this.line[this.length++] = b;
  }

  /** Removes the last UTF-8 character; a stray or out-of-place byte counts as one character. */
  private eraseChar(): void {
    if (this.discarding || this.length === 0) return;
    let start = this.length - 1;
    while (start > 0 && this.length - start < 4 && isContinuation(this.line[start]!)) start--;
    const span = this.length - start;
    this.length -= span > 1 && sequenceLength(this.line[start]!) >= span ? span : 1;
  }

  private endLine(): void {
    if (this.discarding) {
      this.discarding = false;
    } else {
      this.events.push({ kind: "line", text: this.line.toString("utf8", 0, this.length) });
    }
    this.length = 0;
  }
}

function isContinuation(b: number): boolean {
  return (b & 0xc0) === 0x80;
}

/** How many bytes a UTF-8 sequence starting with `b` has; 1 for a byte that cannot start one. */
function sequenceLength(b: number): number {
  if (b >= 0xf0 && b <= 0xf4) return 4;
  if (b >= 0xe0) return b <= 0xef ? 3 : 1;
  if (b >= 0xc2) return 2;
  return 1;
}
