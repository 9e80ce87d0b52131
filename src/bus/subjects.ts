/**
 * Every NATS subject crypy uses is built here, and nowhere else.
 *
 * Grammar (tokens are separated by `.`; a token is `[A-Za-z0-9_-]+`):
 *
 *   crypy.md.<source>.<market>.<kind>      market data from a Desk or a Recorder (source = desk or
 *                                           venue id, replay-<venue> for a replay); kind = trade |
 *                                           book | ticker | mark | funding | liquidation
 *                                           | candle-<timeframe> (candle-1m, candle-1h, …)
 *   crypy.history.<venue>.<market>.<kind>  request/reply: recorded history of a market from a store
 *                                           (`crypy history serve`); kind = trade | book | candle-<tf>
 *   crypy.desk.<desk>.order                request/reply: place / cancel / amend (with mandate)
 *   crypy.desk.<desk>.report.<actor>       execution reports (order state, fills) for one actor
 *   crypy.desk.<desk>.balance              balance changes
 *   crypy.desk.<desk>.cache                request/reply: recent candles, ticker, book from the Desk's cache
 *   crypy.desk.<desk>.capabilities         what the Desk's venue allows (market kinds, order types, …);
 *                                           published at start, and answered by the cache op `capabilities`
 *   crypy.holder.<desk>.<asset>.proposal   request/reply: Trader proposals
 *   crypy.holder.<desk>.<asset>.report     a Trader's realised result, when it ends (signed)
 *   crypy.holder.<desk>.<asset>.register   request/reply: a Trader's key, with a one-time token
 *   crypy.ctl.<actor>                      request/reply: a control command for one actor
 *   crypy.sys.hb.<actor>                   heartbeats: id, kind, pid, host, control address, state
 *   crypy.sys.event.<actor>                actor events for people: started, proposed, filled, …
 *   crypy.sys.doctor.>                     `crypy doctor`'s round-trip probes
 *   crypy.budget.<venue>                   request/reply: weight from the request-weight budget a
 *                                           Desk keeps for its venue address (a Recorder asks)
 *   crypy.journal.<desk>.entries           the Desk's journal on JetStream: batches of entries
 *   crypy.journal.<desk>.books             the Desk's journal on JetStream: snapshot parts
 *
 * The journal's subjects are captured by one JetStream stream per Desk, `CRYPY_JOURNAL_<desk>`
 * (`journalStream`).
 *
 * `<market>` is a market's subject token (`BTC-USDT`, `BTC-USDT-PERP`, `BTC-USDT-250328`), made by
 * `marketToken` in the domain. Builders reject a bad token with an InvalidInputError naming the
 * field and the value, so a typo never becomes a subject nobody listens to.
 *
 * Subscriptions may use NATS wildcards as whole tokens: `*` matches one token, `>` one or more
 * trailing tokens (last position only). Published subjects never contain wildcards.
 *
 * Who may say what: `rolePermissions(role)` fills the same shapes with wildcards, and
 * `crypy nats config` turns them into the NATS server's per-user permissions. A role is granted
 * what its actors publish and subscribe to here, and each user's replies arrive on its own inbox
 * prefix (`inboxPrefix`), which no other user may subscribe to.
 */
import { InvalidInputError } from "../domain/errors.js";
import { marketToken } from "../domain/market.js";

const ROOT = "crypy";
const TOKEN = /^[A-Za-z0-9_-]+$/;
const TIMEFRAME = /^[1-9][0-9]*[smhdwM]$/;
/** NATS's one-token wildcard. */
const ANY = "*";

export type MarketDataKind =
  | "trade"
  | "book"
  | "ticker"
  | "mark"
  | "funding"
  | "liquidation"
  | `candle-${string}`;

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
    kind === "funding" ||
    kind === "liquidation"
  ) {
    return kind;
  }
  throw new InvalidInputError(
    `unknown market-data kind ${JSON.stringify(kind)}: expected trade, book, ticker, mark, funding, liquidation or candle-<timeframe>`,
  );
}

/**
 * Each subject's shape, filled with tokens the builders below have checked, or with wildcards by
 * `rolePermissions`: the grammar and the server's permissions come from the same templates.
 */
const shape = {
  marketData: (desk: string, market: string, kind: string) =>
    `${ROOT}.md.${desk}.${market}.${kind}`,
  deskOrder: (desk: string) => `${ROOT}.desk.${desk}.order`,
  deskReport: (desk: string, actor: string) => `${ROOT}.desk.${desk}.report.${actor}`,
  deskBalance: (desk: string) => `${ROOT}.desk.${desk}.balance`,
  deskCache: (desk: string) => `${ROOT}.desk.${desk}.cache`,
  deskCapabilities: (desk: string) => `${ROOT}.desk.${desk}.capabilities`,
  holderProposal: (desk: string, asset: string) => `${ROOT}.holder.${desk}.${asset}.proposal`,
  holderReport: (desk: string, asset: string) => `${ROOT}.holder.${desk}.${asset}.report`,
  holderRegister: (desk: string, asset: string) => `${ROOT}.holder.${desk}.${asset}.register`,
  control: (actor: string) => `${ROOT}.ctl.${actor}`,
  heartbeat: (actor: string) => `${ROOT}.sys.hb.${actor}`,
  actorEvent: (actor: string) => `${ROOT}.sys.event.${actor}`,
  doctor: (probe: string) => `${ROOT}.sys.doctor.${probe}`,
  journal: (desk: string, part: "entries" | "books") => `${ROOT}.journal.${desk}.${part}`,
  budget: (venue: string) => `${ROOT}.budget.${venue}`,
  history: (venue: string, market: string, kind: string) =>
    `${ROOT}.history.${venue}.${market}.${kind}`,
};

/** `crypy.md.<desk>.<market>.<kind>`; `market` is a ccxt symbol (`BTC/USDT`) or already a token. */
export function marketData(desk: string, market: string, kind: MarketDataKind): string {
  const marketTok = market.includes("/") ? marketToken(market) : token(market, "market");
  return shape.marketData(token(desk, "desk"), marketTok, marketDataKind(kind));
}

/** Every market-data subject of one desk (for a recorder or a dashboard). */
export function allMarketData(desk: string): string {
  return `${ROOT}.md.${token(desk, "desk")}.>`;
}

/** What history is served of a market: its trades, its book states, or its candles. */
export type HistoryKind = "trade" | "book" | `candle-${string}`;

/** `crypy.history.<venue>.<market>.<kind>`: request/reply, a range of a market's recorded history. */
export function history(venue: string, market: string, kind: HistoryKind): string {
  const marketTok = market.includes("/") ? marketToken(market) : token(market, "market");
  const checked = marketDataKind(kind);
  if (checked !== "trade" && checked !== "book" && !checked.startsWith("candle-"))
    throw new InvalidInputError(
      `history kind ${JSON.stringify(kind)} is not served: expected trade, book or candle-<timeframe>`,
    );
  return shape.history(token(venue, "venue"), marketTok, checked);
}

/** Every history subject (what a history server listens on). */
export function allHistory(): string {
  return shape.history(ANY, ANY, ANY);
}

export function deskOrder(desk: string): string {
  return shape.deskOrder(token(desk, "desk"));
}

export function deskReport(desk: string, actor: string): string {
  return shape.deskReport(token(desk, "desk"), token(actor, "actor"));
}

/** Execution reports of every actor of one desk. */
export function allDeskReports(desk: string): string {
  return shape.deskReport(token(desk, "desk"), ANY);
}

export function deskBalance(desk: string): string {
  return shape.deskBalance(token(desk, "desk"));
}

export function deskCache(desk: string): string {
  return shape.deskCache(token(desk, "desk"));
}

/** A Desk's capabilities (src/actors/capabilities), for its Holders and whoever watches. */
export function deskCapabilities(desk: string): string {
  return shape.deskCapabilities(token(desk, "desk"));
}

export function holderReport(desk: string, asset: string): string {
  return shape.holderReport(token(desk, "desk"), token(asset, "asset"));
}

export function actorEvent(actor: string): string {
  return shape.actorEvent(token(actor, "actor"));
}

export function allActorEvents(): string {
  return shape.actorEvent(ANY);
}

/** Request/reply: a Trader in another process registers its key with a one-time token. */
export function holderRegister(desk: string, asset: string): string {
  return shape.holderRegister(token(desk, "desk"), token(asset, "asset"));
}

export function holderProposal(desk: string, asset: string): string {
  return shape.holderProposal(token(desk, "desk"), token(asset, "asset"));
}

export function control(actor: string): string {
  return shape.control(token(actor, "actor"));
}

export function heartbeat(actor: string): string {
  return shape.heartbeat(token(actor, "actor"));
}

export function allHeartbeats(): string {
  return shape.heartbeat(ANY);
}

/** The Desk's journal on JetStream: its entries, or its snapshots' parts (journal/jetstream.ts). */
export function journalSubject(desk: string, part: "entries" | "books"): string {
  return shape.journal(token(desk, "desk"), part);
}

/** Request/reply: the request-weight budget of one venue address (src/venues/budget). */
export function budgetSubject(venue: string): string {
  return shape.budget(token(venue, "venue"));
}

/** The JetStream stream holding one Desk's journal (stream names allow a token's characters). */
export function journalStream(desk: string): string {
  return `CRYPY_JOURNAL_${token(desk, "desk")}`;
}

// ---- who may say what: each role's subjects, for the NATS server's permissions ----

/**
 * A NATS user per role (`crypy nats config`). `node` is today's all-in-one process (`crypy sim
 * --nats` runs the Desk, its Holders and Traders on one connection): desk + holder + trader, plus
 * the observer's reads so the session can show its own actors' events.
 */
export const ROLES = [
  "desk",
  "holder",
  "trader",
  "operator",
  "observer",
  "recorder",
  "node",
] as const;
export type Role = (typeof ROLES)[number];

export interface RolePermissions {
  /** Subjects (wildcards allowed) the role may publish on; empty means none. */
  readonly publish: readonly string[];
  /** Subjects the role may subscribe to; always ends with its own inbox. */
  readonly subscribe: readonly string[];
  /** May answer requests it received (NATS `allow_responses`), whatever `publish` says. */
  readonly respond: boolean;
}

/** `_INBOX_<user>`: the prefix of a user's reply subjects, which only that user may subscribe to. */
export function inboxPrefix(user: string): string {
  return `_INBOX_${token(user, "user")}`;
}

const anyMarketData = shape.marketData(ANY, ANY, ANY);
/** Asking for recorded history: any reader of market data that acts on it. */
const anyHistory = shape.history(ANY, ANY, ANY);
/** What every actor does for itself: beat, tell people what it did, serve its control subject. */
const actor = {
  publish: [shape.heartbeat(ANY), shape.actorEvent(ANY)],
  subscribe: [shape.control(ANY)],
};
/**
 * The Desk's journal on JetStream (`--journal jetstream`): its own subjects, and the JetStream API
 * calls the journal makes — stream info, create and purge, and the ordered consumer that reads it
 * back. A stream name is one token and NATS wildcards are whole tokens, so the API grants cover
 * every stream of the account: crypy's account holds only crypy's streams, and no other role has
 * any JetStream grant.
 */
const journaling = [
  `${ROOT}.journal.${ANY}.${ANY}`,
  "$JS.API.INFO",
  "$JS.API.STREAM.INFO.*",
  "$JS.API.STREAM.CREATE.*",
  "$JS.API.STREAM.PURGE.*",
  "$JS.API.CONSUMER.CREATE.*",
  "$JS.API.CONSUMER.CREATE.*.>",
  "$JS.API.CONSUMER.DELETE.*.*",
  "$JS.API.CONSUMER.INFO.*.*",
  "$JS.API.CONSUMER.MSG.NEXT.*.*",
];
/** Watching without acting: market data and the actors' events (which are written for people). */
const watching = [anyMarketData, shape.actorEvent(ANY)];

const grants: Record<Exclude<Role, "node">, RolePermissions> = {
  desk: {
    publish: [
      anyMarketData,
      shape.deskBalance(ANY),
      shape.deskCapabilities(ANY),
      shape.deskReport(ANY, ANY),
      ...journaling,
      ...actor.publish,
    ],
    subscribe: [shape.deskOrder(ANY), shape.deskCache(ANY), shape.budget(ANY), ...actor.subscribe],
    respond: true,
  },
  holder: {
    publish: [shape.deskCache(ANY), anyHistory, ...actor.publish],
    subscribe: [
      shape.holderProposal(ANY, ANY),
      shape.holderReport(ANY, ANY),
      shape.holderRegister(ANY, ANY),
      shape.deskBalance(ANY),
      // what its Desk's venue allows, narrowed for its Traders
      shape.deskCapabilities(ANY),
      // the heartbeats of the Traders it spawned, to notice one falling silent
      shape.heartbeat(ANY),
      ...actor.subscribe,
    ],
    respond: true,
  },
  trader: {
    publish: [
      shape.deskOrder(ANY),
      shape.deskCache(ANY),
      shape.holderProposal(ANY, ANY),
      shape.holderReport(ANY, ANY),
      shape.holderRegister(ANY, ANY),
      anyHistory,
      ...actor.publish,
    ],
    subscribe: [
      anyMarketData,
      shape.deskReport(ANY, ANY),
      shape.deskCapabilities(ANY),
      ...actor.subscribe,
    ],
    respond: true,
  },
  // A person's tools (dashboards, attach, crypy bus): the only role that commands actors; reads
  // everything crypy says, answers nothing (its own inbox aside: `crypy doctor` answers its probe).
  operator: {
    publish: [
      shape.control(ANY),
      shape.deskCache(ANY),
      shape.doctor(">"),
      anyHistory,
      `${inboxPrefix("operator")}.>`,
    ],
    subscribe: [`${ROOT}.>`],
    respond: false,
  },
  // Heartbeats are left out: they map where every process and control endpoint runs.
  observer: { publish: [], subscribe: watching, respond: false },
  // Records market data, and serves what it (or another) recorded: `crypy history serve`.
  recorder: {
    // the venue's request weight, from the budget its Desk keeps
    publish: [anyMarketData, shape.budget(ANY), ...actor.publish],
    subscribe: [anyMarketData, anyHistory, ...actor.subscribe],
    respond: true,
  },
};

/**
 * What `role`'s NATS user may publish and subscribe to, drawn from the subject shapes above.
 *
 * @example
 * rolePermissions("trader").publish.includes("crypy.desk.*.order") // true
 * rolePermissions("trader").publish.includes("crypy.ctl.*")        // false: only the operator
 */
export function rolePermissions(role: Role): RolePermissions {
  const parts =
    role === "node" ? [grants.desk, grants.holder, grants.trader, grants.observer] : [grants[role]];
  const publish = unique(parts.flatMap((g) => g.publish));
  const subscribe = unique([...parts.flatMap((g) => g.subscribe), `${inboxPrefix(role)}.>`]);
  return Object.freeze({
    publish: Object.freeze(publish),
    subscribe: Object.freeze(subscribe),
    respond: parts.some((g) => g.respond),
  });
}

function unique(subjects: readonly string[]): string[] {
  return [...new Set(subjects)];
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
