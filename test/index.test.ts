import { describe, expect, it } from "vitest";
import * as crypy from "../src/index.js";

describe("index - public API", () => {
  it("index - exposes each layer's public names", () => {
    for (const name of [
      "LocalBus",
      "NatsBus",
      "createBus",
      "marketData",
      "parseMarket",
      "parseDecimal",
      "InsufficientFundsError",
      "errorFromWire",
      "createLogger",
      "scrubSecrets",
      "createSimulation",
      "SimVenue",
      "loadVenueConfig",
      "VirtualClock",
      "runVirtual",
      "loadCandles",
    ]) {
      expect(crypy, name).toHaveProperty(name);
    }
  });

  it("index - keeps internals internal", () => {
    for (const name of [
      "SubjectIndex",
      "messageDispatch",
      "requestDispatch",
      "buildReply",
      "OrderBook",
      "Ledger",
      "Exchange",
      "Settlement",
    ]) {
      expect(crypy, name).not.toHaveProperty(name);
    }
  });
});
