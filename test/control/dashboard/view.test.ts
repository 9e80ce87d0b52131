/**
 * The dashboard in a real terminal: tmux runs fixtures/fake-dashboard.ts in a detached session of
 * a fixed size, the test types keys with `send-keys` and reads the screen with `capture-pane`.
 * Each test gets its own tmux server (its own socket), killed afterwards.
 */
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";

const run = promisify(execFile);
const fixture = fileURLToPath(new URL("./fixtures/fake-dashboard.ts", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

class Tmux {
  private static count = 0;
  private readonly socket = `crypy-dashboard-${process.pid}-${Tmux.count++}`;
  private readonly target = "dash";
  private socketPath: string | undefined;

  async tmux(...args: string[]): Promise<string> {
    const { stdout } = await run("tmux", ["-L", this.socket, "-f", "/dev/null", ...args]);
    return stdout;
  }

  /**
   * Starts the fake dashboard under a shell that prints its exit status: tmux's own
   * `pane_dead_status` is sometimes never filled in (its SIGCHLD can be lost while tmux removes
   * the pane's utmp record), so the shell is the reliable witness. The pane stays after it ends.
   */
  async start(width: number, height: number): Promise<void> {
    const dashboard = `${quote(process.execPath)} --import tsx ${quote(fixture)}`;
    const command = `${dashboard}; echo "dashboard exited with status $?"`;
    await this.tmux(
      ...["new-session", "-d", "-s", this.target, "-x", String(width), "-y", String(height)],
      ...["-c", repoRoot, "-e", "LANG=C.UTF-8", command],
      ...[";", "set-option", "-g", "remain-on-exit", "on"],
    );
    this.socketPath = (await this.tmux("display-message", "-p", "#{socket_path}")).trim();
  }

  screen(history = false): Promise<string> {
    return this.tmux("capture-pane", "-p", "-t", this.target, ...(history ? ["-S", "-200"] : []));
  }

  /** Named tmux keys (Enter, Escape, Down, C-c) or, with `literal`, text typed as is. */
  async keys(keys: string, literal = false): Promise<void> {
    await this.tmux("send-keys", "-t", this.target, ...(literal ? ["-l"] : []), keys);
  }

  /** Whether the pane's command (the shell around the fixture) has ended. */
  async dead(): Promise<boolean> {
    const out = await this.tmux("list-panes", "-t", this.target, "-F", "#{pane_dead}");
    return out.trim() === "1";
  }

  /** Polls the screen until `ok` holds; on timeout, fails with what the screen showed. */
  async waitFor(
    what: string,
    ok: (screen: string) => boolean,
    timeoutMs = 10_000,
  ): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = "";
    for (;;) {
      screen = await this.screen().catch((error: unknown) => `(capture failed: ${String(error)})`);
      if (ok(screen)) return screen;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${what}; the screen shows:\n${screen}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  waitForText(text: string, timeoutMs?: number): Promise<string> {
    return this.waitFor(JSON.stringify(text), (s) => s.includes(text), timeoutMs);
  }

  /** The fixture's exit status, as the shell around it printed it, once the pane has ended. */
  async waitForExit(timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const exited = /dashboard exited with status (\d+)/.exec(await this.screen(true));
      if (exited !== null && (await this.dead())) return Number(exited[1]);
      if (Date.now() > deadline) {
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for the dashboard to exit; the screen shows:\n${await this.screen()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Ends the server and, since this tmux leaves it behind, removes its socket. */
  async kill(): Promise<void> {
    await this.tmux("kill-server").catch(() => undefined);
    if (this.socketPath) await rm(this.socketPath, { force: true });
  }
}

const row = (screen: string, start: string) => screen.split("\n").find((l) => l.startsWith(start));

describe("dashboard in tmux", { timeout: 40_000 }, () => {
  let tmux: Tmux;

  afterEach(async () => {
    await tmux.kill();
  });

  async function open(width = 120, height = 40): Promise<string> {
    tmux = new Tmux();
    await tmux.start(width, height);
    return tmux.waitForText("sim-main", 20_000);
  }

  it("dashboard - shows the desk, markets, holders and traders, and prices move", async () => {
    const first = await open();
    expect(first).toContain("ACTIVE");
    // The fake sends money with 8 decimals: shown rounded to 2, signed for the PnL.
    expect(first).toMatch(/equity [\d,]+\.\d\d USDT {2}PnL [+-]?[\d,]+\.\d\d USDT/);
    expect(row(first, "BTC/USDT")).toBeDefined();
    expect(row(first, "USDT ")).toMatch(/USDT\s+9,000.00\s+1,000.00\s+1/);
    expect(first).toMatch(/BTC\/USDT\s+sma-cross\s+in-position/);
    expect(first).toContain("desk sim-main started");
    const before = row(first, "BTC/USDT");
    await tmux.waitFor("the BTC/USDT price to move", (s) => row(s, "BTC/USDT") !== before);
  });

  it("dashboard - ? shows the help and any key closes it", async () => {
    await open();
    await tmux.keys("?");
    await tmux.waitForText("any key closes this window");
    await tmux.keys("x", true);
    await tmux.waitFor("the help to close", (s) => !s.includes("any key closes"));
  });

  it("dashboard - i opens the invest REPL, runs lines in it (q included) and Esc closes it", async () => {
    await open();
    await tmux.keys("i", true);
    await tmux.waitForText("invest USDT>");
    await tmux.keys("q hello", true);
    await tmux.keys("Enter");
    await tmux.waitForText("heard: q hello");
    await tmux.keys("Escape");
    await tmux.waitFor("the REPL to close", (s) => !s.includes("invest USDT>"));
    await tmux.waitForText("invest USDT REPL closed");
    expect(await tmux.dead()).toBe(false);
  });

  it("dashboard - t opens the trade REPL of the selected market", async () => {
    await open();
    await tmux.keys("Down");
    await tmux.waitFor(
      "ETH/USDT to be charted",
      (s) => /─ ETH\/USDT \d/.test(s) || /q ETH\/USDT \d/.test(s),
    );
    await tmux.keys("t", true);
    await tmux.waitForText("trade ETH/USDT>");
    await tmux.keys("exit", true);
    await tmux.keys("Enter");
    await tmux.waitForText("trade ETH/USDT REPL closed");
  });

  it("dashboard - h asks first; y halts the desk through deskCommand", async () => {
    await open();
    await tmux.keys("h", true);
    await tmux.waitForText("Halt desk sim-main? (y/n)");
    await tmux.keys("n", true);
    await tmux.waitForText("not halted");
    await tmux.keys("h", true);
    await tmux.waitForText("(y/n)");
    await tmux.keys("y", true);
    const screen = await tmux.waitForText('fake desk ran "halt"');
    await tmux.waitForText("HALTED");
    expect(screen).not.toContain("(y/n)");
  });

  it("dashboard - : runs a Desk command and shows its answer; q in it does not quit", async () => {
    await open();
    await tmux.keys(":", true);
    await tmux.keys("status q", true);
    await tmux.keys("Enter");
    await tmux.waitForText('fake desk ran "status q"');
    expect(await tmux.dead()).toBe(false);
    await tmux.keys("Tab");
    await tmux.keys("whatever", true);
    await tmux.waitForText(":whatever");
    await tmux.keys("Escape");
    // Escape and q arriving together would read as Alt-q, as in any terminal program.
    await tmux.waitForText(": command  ");
    await tmux.keys("q", true);
    expect(await tmux.waitForExit()).toBe(0);
    expect(await tmux.screen(true)).not.toContain("whatever");
  });

  it("dashboard - a resize to 80x24 lays the screen out again", async () => {
    await open(120, 40);
    await tmux.tmux("resize-window", "-t", "dash", "-x", "80", "-y", "24");
    const screen = await tmux.waitFor("the header at 80 columns", (s) => {
      const header = s.split("\n")[0] ?? "";
      return (
        header.startsWith("sim-main") &&
        header.trimEnd().endsWith("? help  q quit") &&
        header.length <= 80
      );
    });
    expect(row(screen, "BTC/USDT")).toBeDefined();
    expect(screen).toContain("Holders");
    expect(screen).toContain(": command");
  });

  it("dashboard - q quits with status 0 and gives the terminal back", async () => {
    await open();
    await tmux.keys("q", true);
    expect(await tmux.waitForExit()).toBe(0);
    const after = await tmux.screen(true);
    expect(after).toContain("dashboard closed");
    expect(after).not.toContain("Holders");
  });

  it("dashboard - C-c quits too, even from the REPL", async () => {
    await open();
    await tmux.keys("i", true);
    await tmux.waitForText("invest USDT>");
    await tmux.keys("C-c");
    expect(await tmux.waitForExit()).toBe(0);
  });
});
