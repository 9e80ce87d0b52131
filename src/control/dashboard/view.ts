/**
 * The terminal dashboard: a blessed screen (frame.ts) showing a DashboardFeed's snapshots, with
 * keys to pick a market, open the invest and trade REPLs, run Desk commands and halt the Desk.
 *
 * Keys are routed by mode, not by blessed focus: the screen has one keypress handler, and while
 * the command line, a REPL popup, the halt prompt or a window is open, it alone gets the keys (so
 * `q` typed into a line is text, never quit). C-c quits from anywhere. Drawing is throttled to
 * ten frames a second and happens at least once a second. Errors from the feed are shown on the
 * screen, never thrown into blessed's handlers, where they would end the process mid-screen.
 */
import type blessed from "blessed";
import type { ReplCore } from "../repl/types.js";
import { Frame } from "./frame.js";
import { type KeyEvent, LineEditor } from "./line-editor.js";
import { COMMAND_HINT, type CommandResult, HELP, resultRoom } from "./panels.js";
import { ReplPopup } from "./repl-popup.js";
import { esc } from "./tags.js";
import type { DashboardFeed, DashboardSnapshot } from "./types.js";

export interface DashboardOptions {
  feed: DashboardFeed;
  /** Defaults to process.stdin/stdout; tests may pass others. */
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/**
 * Opens the dashboard; resolves when the user quits (q, or C-c) — the caller then stops the actors.
 *
 * @example
 * await runDashboard({ feed });
 * await system.stop();
 */
export function runDashboard(options: DashboardOptions): Promise<void> {
  return new Promise((resolve) => {
    new Dashboard(options, resolve);
  });
}

const FRAME_MS = 100;
const TICK_MS = 1_000;

const EMPTY: DashboardSnapshot = {
  desk: { id: "?", venue: "?", state: "unknown", equity: undefined, pnl: undefined, quote: "" },
  markets: [],
  holders: [],
  traders: [],
  orders: [],
  events: [],
};

/** Who gets the keys. */
type Mode = "normal" | "command" | "confirm" | "window" | "repl";

class Dashboard {
  private readonly feed: DashboardFeed;
  private readonly frame: Frame;
  private mode: Mode = "normal";
  private readonly editor = new LineEditor();
  /** By name, so the selection follows its market when the watch list changes order. */
  private selected: string | undefined;
  private result: CommandResult | undefined;
  /** The Desk command waiting for its answer. */
  private running: string | undefined;
  private window: blessed.Widgets.BoxElement | undefined;
  private popup: ReplPopup | undefined;
  private lastDraw = 0;
  private drawTimer: NodeJS.Timeout | undefined;
  private readonly tick: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private quitting = false;

  constructor(
    options: DashboardOptions,
    private readonly done: () => void,
  ) {
    this.feed = options.feed;
    this.frame = new Frame(options.input ?? process.stdin, options.output ?? process.stdout);
    const screen = this.frame.screen;
    screen.on("keypress", (ch: string | undefined, key: KeyEvent) => this.onKey(ch, key));
    screen.on("resize", () => {
      this.frame.place();
      this.popup?.update();
      this.draw();
    });
    this.unsubscribe = this.feed.onChange(() => this.requestDraw());
    this.tick = setInterval(() => this.requestDraw(), TICK_MS);
    this.draw();
  }

  private onKey(ch: string | undefined, key: KeyEvent): void {
    if (this.quitting) return;
    try {
      if (key.full === "C-c") void this.quit();
      // blessed emits "enter" and then "return" for one press of Enter; "enter" is handled.
      else if (key.full !== "return") this.routeKey(ch, key);
    } catch (error) {
      this.show("(key)", error);
    }
    this.requestDraw();
  }

  private routeKey(ch: string | undefined, key: KeyEvent): void {
    const enter = key.full === "enter" || key.full === "linefeed";
    switch (this.mode) {
      case "repl":
        this.popup?.key(ch, key);
        return;
      case "window":
        this.window?.destroy();
        this.window = undefined;
        this.mode = "normal";
        return;
      case "confirm":
        this.mode = "normal";
        if (ch === "y" || ch === "Y") void this.runDesk("halt");
        else this.result = { command: "halt", lines: ["not halted"], error: false };
        return;
      case "command":
        if (key.full === "escape") {
          this.editor.set("");
          this.mode = "normal";
        } else if (enter) {
          const line = this.editor.take().trim();
          this.mode = "normal";
          if (line !== "") void this.runDesk(line);
        } else {
          this.editor.key(ch, key);
        }
        return;
      case "normal":
        this.normalKey(ch, key);
    }
  }

  private normalKey(ch: string | undefined, key: KeyEvent): void {
    if (key.full === "up" || ch === "k") this.move(-1);
    else if (key.full === "down" || ch === "j") this.move(1);
    else if (key.full === "tab" || ch === ":" || ch === "/" || ch === "c") this.mode = "command";
    else if (key.full === "escape") this.result = undefined;
    else if (ch === "q") void this.quit();
    else if (ch === "?") this.openWindow("help", HELP);
    else if (ch === "h") this.mode = "confirm";
    else if (ch === "i") this.openRepl("invest", () => this.feed.investRepl());
    else if (ch === "t") {
      const market = this.selected;
      if (market === undefined)
        this.result = { command: "trade", lines: ["no market to trade"], error: true };
      else this.openRepl(`trade ${market}`, () => this.feed.tradeRepl(market));
    }
  }

  private move(delta: number): void {
    const markets = this.snapshot().markets;
    const at = markets.findIndex((m) => m.market === this.selected);
    const next = markets[Math.min(markets.length - 1, Math.max(0, at + delta))];
    if (next !== undefined) this.selected = next.market;
  }

  private openRepl(name: string, open: () => ReplCore): void {
    let core: ReplCore;
    try {
      core = open();
    } catch (error) {
      this.show(name, error);
      return;
    }
    this.mode = "repl";
    this.popup = new ReplPopup(
      this.frame.screen,
      core,
      () => this.requestDraw(),
      (closing) => {
        this.popup = undefined;
        if (this.mode === "repl") this.mode = "normal";
        closing.catch((error: unknown) => this.show(name, error)).finally(() => this.requestDraw());
      },
    );
  }

  private openWindow(label: string, lines: readonly string[]): void {
    this.window = this.frame.window(label, lines);
    this.mode = "window";
  }

  private async runDesk(line: string): Promise<void> {
    this.running = line;
    this.requestDraw();
    try {
      const text = await this.feed.deskCommand(line);
      this.result = { command: line, lines: text.replace(/\n+$/, "").split("\n"), error: false };
      // Too long for the events panel: shown whole in a window, unless the user is busy elsewhere.
      const longer = this.result.lines.length > resultRoom(this.frame.layout.events);
      if (longer && this.mode === "normal" && !this.quitting) {
        this.openWindow(`:${line}`, this.result.lines);
      }
    } catch (error) {
      this.show(line, error);
    }
    this.running = undefined;
    this.requestDraw();
  }

  private show(command: string, error: unknown): void {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.result = { command, lines: message.split("\n"), error: true };
  }

  private snapshot(): DashboardSnapshot {
    try {
      return this.feed.snapshot();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { ...EMPTY, events: [`feed: ${message}`] };
    }
  }

  private requestDraw(): void {
    if (this.drawTimer !== undefined || this.quitting) return;
    // Never draw inside the feed's or blessed's callback; at most one frame per FRAME_MS.
    const wait = Math.max(0, this.lastDraw + FRAME_MS - Date.now());
    this.drawTimer = setTimeout(() => {
      this.drawTimer = undefined;
      this.draw();
    }, wait);
  }

  private draw(): void {
    if (this.quitting) return;
    this.lastDraw = Date.now();
    const snapshot = this.snapshot();
    let at = snapshot.markets.findIndex((m) => m.market === this.selected);
    if (at === -1 && snapshot.markets.length > 0) at = 0;
    this.selected = snapshot.markets[at]?.market ?? this.selected;
    this.frame.paint({
      snapshot,
      selected: at === -1 ? undefined : at,
      result: this.result,
      command: this.commandLine(snapshot),
    });
  }

  private commandLine(s: DashboardSnapshot): string {
    if (this.mode === "command") return this.editor.render(":", this.frame.layout.command.width);
    if (this.mode === "confirm")
      return `{red-fg}{bold}${esc(`Halt desk ${s.desk.id}? (y/n)`)}{/bold}{/red-fg}`;
    if (this.running !== undefined)
      return `{yellow-fg}${esc(`running :${this.running} …`)}{/yellow-fg}`;
    return COMMAND_HINT;
  }

  private async quit(): Promise<void> {
    if (this.quitting) return;
    this.quitting = true;
    clearInterval(this.tick);
    clearTimeout(this.drawTimer);
    // The terminal first, so a slow feed or REPL core never keeps the user in the dashboard.
    this.frame.screen.destroy();
    const problems: string[] = [];
    try {
      this.unsubscribe();
    } catch (error) {
      problems.push(`leaving the feed failed: ${String(error)}`);
    }
    try {
      await this.popup?.close();
    } catch (error) {
      problems.push(`closing the REPL failed: ${String(error)}`);
    }
    // The screen is gone; stderr is where the user sees what went wrong on the way out.
    for (const problem of problems) process.stderr.write(`crypy: ${problem}\n`);
    this.done();
  }
}
