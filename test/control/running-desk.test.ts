import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { control, heartbeat } from "../../src/bus/subjects.js";
import { runningDesk } from "../../src/control/session/running-desk.js";
import { PermissionDeniedError } from "../../src/domain/errors.js";

const DESK = "sim-main";
let bus: LocalBus;

beforeEach(() => {
  bus = new LocalBus();
});
afterEach(async () => {
  await bus.close();
});

/** Its control subject refused, as the server refuses the node role's publish on crypy.ctl.*. */
function refuseControl(): void {
  bus.serve(control(DESK), () => {
    throw new PermissionDeniedError("NATS user node may not publish on crypy.ctl.sim-main");
  });
}

describe("running desk - whether a Desk already runs on the bus", () => {
  it("running desk - nobody serving its control subject means no Desk, without waiting", async () => {
    const started = Date.now();
    expect(await runningDesk(bus, DESK, 5_000)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("running desk - a Desk that answers its status runs", async () => {
    bus.serve(control(DESK), () => ({ ok: true, text: "state: active" }));
    expect(await runningDesk(bus, DESK, 5_000)).toEqual({});
  });

  it("running desk - a status request refused, its heartbeat says it runs and where (made inert)", async () => {
    refuseControl();
    const beat = setTimeout(
      () => bus.publish(heartbeat(DESK), { id: DESK, kind: "desk", pid: 42, host: "h\u001b[2J" }),
      100,
    );
    try {
      expect(await runningDesk(bus, DESK, 5_000)).toEqual({
        where: "process 42 on h\\u001b[2J",
      });
    } finally {
      clearTimeout(beat);
    }
  });

  it("running desk - a status request refused and no beat of that Desk within the wait: none", async () => {
    refuseControl();
    const beat = setTimeout(() => bus.publish(heartbeat(DESK), { id: "other" }), 50);
    try {
      expect(await runningDesk(bus, DESK, 300)).toBeUndefined();
    } finally {
      clearTimeout(beat);
    }
  });
});
