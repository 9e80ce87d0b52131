/**
 * Desk templates for real exchanges: the shipped ones load and default to paper; `exchange:`
 * excludes a simulated `venue:`; paper mode must hold every asset the Desk trades; keys are only
 * ever a file path; and real money needs `mode: live` in the template and `--mode live` both.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type DeskTemplate,
  type ExchangeMode,
  loadDeskTemplate,
  parseDeskTemplate,
} from "../../../src/actors/templates/index.js";
import { sessionMode } from "../../../src/control/session/open-exchange.js";
import { REPO } from "./support.js";

const SHIPPED = ["binance", "kraken", "bybit", "bitget", "upbit"];
const DESKS = join(REPO, "templates", "desk");

function desk(exchange: string, extra = ""): string {
  return `name: binance
exchange:
  id: binance
${exchange}
account: main
watch: [BTC/USDT]
assets: [USDT]
risk: { maxOrderNotional: "100", maxPositionNotional: "200", maxDailyLoss: "10", maxOrdersPerSecond: 1 }
holderTemplate: ../holder/default.yaml
${extra}`;
}

const parse = (text: string) => parseDeskTemplate(text, { file: "binance.yaml", baseDir: DESKS });

async function problem(text: string): Promise<string> {
  try {
    await parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the template to be refused");
}

describe("templates - real exchanges", () => {
  for (const name of SHIPPED) {
    it(`templates - the shipped ${name} desk loads in paper mode, holding what it trades`, async () => {
      const template = await loadDeskTemplate(join(DESKS, `${name}.yaml`));
      expect(template.venue).toBeUndefined();
      expect(template.exchange?.id).toBe(name);
      expect(template.exchange?.mode).toBe("paper");
      expect(template.exchange?.credentials).toBeUndefined();
      for (const asset of template.assets) {
        expect(Number(template.exchange?.paperBalances[asset])).toBeGreaterThan(0);
      }
      // Orders fit the paper account: one order at most a quarter of it.
      const quote = template.assets[0]!;
      expect(Number(template.risk.maxOrderNotional)).toBeLessThanOrEqual(
        Number(template.exchange?.paperBalances[quote]) / 4,
      );
    });
  }

  it("templates - a desk has a simulated venue or a real exchange, not both", async () => {
    expect(
      await problem(`venue: sim\n${desk('  mode: paper\n  paperBalances: { USDT: "1" }')}`),
    ).toMatch(/venue: a Desk trades either a simulated venue or a real exchange/);
  });

  it("templates - paper mode must hold every asset the Desk trades", async () => {
    expect(await problem(desk('  paperBalances: { BTC: "1" }'))).toMatch(
      /assets\[0\]: paper mode holds only exchange\.paperBalances \(BTC\): add USDT there/,
    );
  });

  it("templates - a mode outside paper, sandbox and live is refused, listing them", async () => {
    expect(await problem(desk("  mode: real"))).toMatch(/exchange\.mode: .*paper.*sandbox.*live/);
  });

  it("templates - credentials are a file path: ~/ is the home directory, else relative to the template", async () => {
    const home = await parse(desk("  mode: live\n  credentials: ~/.config/crypy/keys.yaml"));
    expect(home.exchange?.credentials).toBe(join(homedir(), ".config/crypy/keys.yaml"));
    const relative = await parse(desk("  mode: sandbox\n  credentials: ../keys.yaml"));
    expect(relative.exchange?.credentials).toBe(join(REPO, "templates", "keys.yaml"));
    // Keys themselves have no field: a template never holds them.
    expect(await problem(desk("  mode: live\n  apiKey: abc"))).toMatch(
      /exchange\.apiKey: unknown key/,
    );
  });

  it("templates - ccxt's urls and options pass through as written", async () => {
    const t = await parse(
      desk(
        '  mode: live\n  urls: { api: { public: "http://127.0.0.1:8765/api/v3" } }\n  options: { fetchMarkets: { types: [spot] } }',
      ),
    );
    expect(t.exchange?.urls).toEqual({ api: { public: "http://127.0.0.1:8765/api/v3" } });
    expect(t.exchange?.options).toEqual({ fetchMarkets: { types: ["spot"] } });
  });
});

describe("session mode", () => {
  const template = (mode: ExchangeMode): [DeskTemplate, NonNullable<DeskTemplate["exchange"]>] => {
    const exchange = {
      id: "binance",
      mode,
      credentials: undefined,
      urls: undefined,
      options: undefined,
      requestWeight: undefined,
      paperBalances: {},
    };
    return [{ file: "binance.yaml", exchange } as unknown as DeskTemplate, exchange];
  };

  it("session mode - the template's mode unless the command line picks another", () => {
    expect(sessionMode(...template("paper"), undefined)).toBe("paper");
    expect(sessionMode(...template("sandbox"), undefined)).toBe("sandbox");
    expect(sessionMode(...template("paper"), "sandbox")).toBe("sandbox");
    expect(sessionMode(...template("live"), "paper")).toBe("paper");
  });

  it("session mode - live only with mode: live in the template AND --mode live", () => {
    expect(sessionMode(...template("live"), "live")).toBe("live");
    expect(() => sessionMode(...template("live"), undefined)).toThrow(
      /binance\.yaml trades real money \(exchange\.mode live\): start it with --mode live/,
    );
    expect(() => sessionMode(...template("paper"), "live")).toThrow(
      /--mode live: binance\.yaml sets exchange\.mode paper; trading real money needs mode: live there too/,
    );
  });
});
