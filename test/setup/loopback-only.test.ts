import dns from "node:dns";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { BeyondLoopbackError, isLoopback } from "./loopback-only.js";

describe("tests stay on loopback", () => {
  it("loopback - a connection beyond loopback fails at once, naming where it aimed", () => {
    expect(() => net.connect(443, "93.184.216.34")).toThrow(BeyondLoopbackError);
    expect(() => net.connect({ host: "api.binance.com", port: 443 })).toThrow(
      /tests may not reach beyond loopback: a connection to api\.binance\.com/,
    );
  });

  it("loopback - a DNS lookup of anything but localhost fails", async () => {
    expect(() => dns.lookup("api.binance.com", () => {})).toThrow(BeyondLoopbackError);
    await expect(dns.promises.lookup("example.com")).rejects.toThrow(
      /a DNS lookup of example\.com/,
    );
  });

  it("loopback - loopback itself is open: a real server and client on 127.0.0.1 talk", async () => {
    const server = net.createServer((s) => s.end("hi"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    const text = await new Promise<string>((resolve, reject) => {
      const c = net.connect(port, "127.0.0.1");
      let got = "";
      c.on("data", (d) => {
        got += String(d);
      });
      c.on("end", () => resolve(got));
      c.on("error", reject);
    });
    server.close();
    expect(text).toBe("hi");
    expect(["127.0.0.1", "::1", "localhost", "[::1]", undefined].every(isLoopback)).toBe(true);
    expect(["10.0.0.1", "8.8.8.8", "example.com"].some(isLoopback)).toBe(false);
  });
});
