/** `crypy doctor`: checks this machine and runs a round trip through the selected bus. */
import type { Command } from "commander";
import { action, type GlobalFlags, openBus } from "./program.js";

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description("check this machine and run a round trip through the selected bus")
    .option("--json", "print the checks as one JSON document")
    .action(
      action(async (options: { json?: boolean }) => {
        const d = await import("./doctor-checks.js");
        const { selectedNatsUrl } = await import("../bus/select.js");
        const url = selectedNatsUrl({ natsUrl: program.opts<GlobalFlags>().nats });
        const checks = [d.checkNode(), d.checkNatsServer()];
        try {
          const bus = await openBus(program);
          checks.push(await d.checkBus(bus, url === undefined ? "embedded bus" : `NATS at ${url}`));
          await bus.close();
        } catch (err) {
          const { formatError } = await import("../domain/errors.js");
          checks.push({ name: "bus", ok: false, detail: formatError(err) });
        }
        const passed = d.doctorPassed(checks);
        process.stdout.write(
          options.json
            ? `${JSON.stringify({ ok: passed, checks }, null, 2)}\n`
            : `${d.formatChecks(checks)}\n${passed ? "crypy is ready." : "crypy is not ready: see FAIL above."}\n`,
        );
        return passed ? 0 : 1;
      }),
    );
}
