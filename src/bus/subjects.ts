/**
 * Every NATS subject crypy uses is built here, and nowhere else.
 *
 * Grammar (tokens are separated by `.`; a token is `[A-Za-z0-9_-]+`):
 *
 *   crypy.md.<desk>.<market>.<kind>        market data; kind = trade | book | ticker | mark | funding
 *                                           | candle-<timeframe> (candle-1m, candle-1h, …)
 *   crypy.desk.<desk>.order                request/reply: place / cancel / amend (with mandate)
 *   crypy.desk.<desk>.report.<actor>       execution reports (order state, fills) for one actor
 *   crypy.desk.<desk>.balance              balance changes
 *   crypy.desk.<desk>.cache                request/reply: recent candles, ticker, book from the Desk's cache
 *   crypy.holder.<desk>.<asset>.proposal   request/reply: Trader proposals
 *   crypy.holder.<desk>.<asset>.report     a Trader's realised result, when it ends
 *   crypy.ctl.<actor>                      request/reply: a control command for one actor
 *   crypy.sys.hb.<actor>                   heartbeats: id, kind, pid, host, control address, state
 *   crypy.sys.event.<actor>                actor events for people: started, proposed, filled, …
 *
 * `<market>` is a market's subject token (`BTC-USDT`, `BTC-USDT-PERP`, `BTC-USDT-250328`), made by
 * `marketToken` in the domain. Builders reject a bad token with an InvalidInputError naming the
 * field and the value, so a typo never becomes a subject nobody listens to.
 *
 * Subscriptions may use NATS wildcards as whole tokens: `*` matches one token, `>` one or more
 * trailing tokens (last position only). Published subjects never contain wildcards.
 */
import { InvalidInputError } from "../domain/errors.js";
import { marketToken } from "../domain/market.js";

const ROOT = "crypy";
const TOKEN = /^[A-Za-z0-9_-]+$/;
const TIMEFRAME = /^[1-9][0-9]*[smhdwM]$/;

export type MarketDataKind = "trade" | "book" | "ticker" | "mark" | "funding" | `candle-${string}`;

/** Validates one crypy token; `field` names it in the error. */
export function token(value: string, field: string): string {
  if (!TOKEN.test(value)) {
    throw new InvalidInputError(
      `${field} ${JSON.stringify(value)} is not a valid subject token: use letters, digits, '_' or '-'`,
    );
  }
  return value;
}

function marketDataKind(kind: string): string {
  if (kind.startsWith("candle-")) {
    const timeframe = kind.slice("candle-".length);
    if (TIMEFRAME.test(timeframe)) return kind;
    throw new InvalidInputError(
      `market-data kind ${JSON.stringify(kind)} has a bad timeframe: expected e.g. candle-1m, candle-4h`,
    );
  }
  if (
    kind === "trade" ||
    kind === "book" ||
    kind === "ticker" ||
    kind === "mark" ||
    kind === "funding"
  ) {
    return kind;
  }
  throw new InvalidInputError(
    `unknown market-data kind ${JSON.stringify(kind)}: expected trade, book, ticker, mark, funding or candle-<timeframe>`,
  );
}

/** `crypy.md.<desk>.<market>.<kind>`; `market` is a ccxt symbol (`BTC/USDT`) or already a token. */
export function marketData(desk: string, market: string, kind: MarketDataKind): string {
  const marketTok = market.includes("/") ? marketToken(market) : token(market, "market");
  return `${ROOT}.md.${token(desk, "desk")}.${marketTok}.${marketDataKind(kind)}`;
}

/** Every market-data subject of one desk (for a recorder or a dashboard). */
export function allMarketData(desk: string): string {
  return `${ROOT}.md.${token(desk, "desk")}.>`;
}

export function deskOrder(desk: string): string {
  return `${ROOT}.desk.${token(desk, "desk")}.order`;
}

export function deskReport(desk: string, actor: string): string {
  return `${ROOT}.desk.${token(desk, "desk")}.report.${token(actor, "actor")}`;
}

/** Execution reports of every actor of one desk. */
export function allDeskReports(desk: string): string {
  return `${ROOT}.desk.${token(desk, "desk")}.report.*`;
}

export function deskBalance(desk: string): string {
  return `${ROOT}.desk.${token(desk, "desk")}.balance`;
}

export function deskCache(desk: string): string {
  return `${ROOT}.desk.${token(desk, "desk")}.cache`;
}

export function holderReport(desk: string, asset: string): string {
  return `${ROOT}.holder.${token(desk, "desk")}.${token(asset, "asset")}.report`;
}

export function actorEvent(actor: string): string {
  return `${ROOT}.sys.event.${token(actor, "actor")}`;
}

export function allActorEvents(): string {
  return `${ROOT}.sys.event.*`;
}

export function holderProposal(desk: string, asset: string): string {
  return `${ROOT}.holder.${token(desk, "desk")}.${token(asset, "asset")}.proposal`;
}

export function control(actor: string): string {
  return `${ROOT}.ctl.${token(actor, "actor")}`;
}

export function heartbeat(actor: string): string {
  return `${ROOT}.sys.hb.${token(actor, "actor")}`;
}

export function allHeartbeats(): string {
  return `${ROOT}.sys.hb.*`;
}

// ---- generic NATS subject checks, shared by both buses so they reject the same things ----

const validated = new Set<string>();
const VALIDATED_CACHE_LIMIT = 10_000;

function describeProblem(subject: string, allowWildcards: boolean): string | undefined {
  if (subject.length === 0) return "it is empty";
  const tokens = subject.split(".");
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.length === 0) return "it has an empty token (leading, trailing or double '.')";
    if (/\s/.test(t)) return "it contains whitespace";
    if (t === "*" || t === ">") {
      if (!allowWildcards) return `wildcard '${t}' is only allowed when subscribing`;
      if (t === ">" && i !== tokens.length - 1) return "'>' must be the last token";
      continue;
    }
    if (t.includes("*") || t.includes(">")) return "a wildcard must be a whole token";
  }
  return undefined;
}

/**
 * Throws InvalidInputError unless `subject` is a publishable NATS subject. Results are cached:
 * publishers reuse a handful of subjects and this sits on the publish path.
 */
export function assertPublishSubject(subject: string): void {
  if (validated.has(subject)) return;
  const problem = describeProblem(subject, false);
  if (problem !== undefined) {
    throw new InvalidInputError(`invalid subject ${JSON.stringify(subject)}: ${problem}`);
  }
  if (validated.size >= VALIDATED_CACHE_LIMIT) validated.clear();
  validated.add(subject);
}

/** Throws InvalidInputError unless `pattern` is a valid subscription subject (wildcards allowed). */
export function assertSubscribeSubject(pattern: string): void {
  const problem = describeProblem(pattern, true);
  if (problem !== undefined) {
    throw new InvalidInputError(
      `invalid subscription subject ${JSON.stringify(pattern)}: ${problem}`,
    );
  }
}

/** Does `subject` (no wildcards) match `pattern` (wildcards allowed)? */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    const pt = p[i];
    if (pt === ">") return s.length > i;
    if (i >= s.length) return false;
    if (pt !== "*" && pt !== s[i]) return false;
  }
  return p.length === s.length;
}
