/** `crypy bus pub|sub|req`: publish, subscribe and request on a NATS bus. */
import type { Command } from "commander";
import type { Bus } from "../bus/bus.js";
import { action, openBus, positiveInt } from "./program.js";

type BusTools = typeof import("./bus-tools.js");

export function registerBus(program: Command): void {
  /** Opens the NATS bus for `crypy bus <command>`, runs `body`, and always closes the bus. */
  async function withNatsBus(command: string, body: (bus: Bus, tools: BusTools) => Promise<void>) {
    const tools = await import("./bus-tools.js");
    const b = await openBus(program);
    try {
      tools.requireNats(b, command);
      await body(b, tools);
    } finally {
      await b.close();
    }
    return 0;
  }

  const bus = program
    .command("bus")
    .description("publish, subscribe and request on a NATS bus (needs --nats)");

  bus
    .command("pub")
    .description("publish one message (JSON, or text sent as a JSON string)")
    .argument("<subject>", "subject to publish on")
    .argument("[payload]", "message body")
    .action(
      action((subject: string, payload: string | undefined) =>
        withNatsBus("pub", async (b, tools) => {
          b.publish(subject, tools.parsePayload(payload));
          await b.flush();
        }),
      ),
    );

  bus
    .command("sub")
    .description(
      "print messages on a subject (wildcards * and > allowed) as JSON lines until Ctrl-C",
    )
    .argument("<subject>", "subject or pattern")
    .option("--count <n>", "exit after this many messages", positiveInt)
    .action(
      action(async (subject: string, options: { count?: number }) => {
        const tools = await import("./bus-tools.js");
        const b = await openBus(program);
        tools.requireNats(b, "sub");
        let seen = 0;
        await new Promise<void>((resolve) => {
          b.subscribe(subject, (data, info) => {
            process.stdout.write(`${tools.formatMessage(info.subject, data)}\n`);
            if (options.count !== undefined && ++seen >= options.count) resolve();
          });
          process.once("SIGINT", resolve);
          process.once("SIGTERM", resolve);
        });
        await b.drain();
        return 0;
      }),
    );

  bus
    .command("req")
    .description(
      "send a request and print the reply; an error reply prints as code: message. A control request ({line} or {command, args} on crypy.ctl.<actor>) is signed by this machine's operator key",
    )
    .argument("<subject>", "subject to request on")
    .argument("[payload]", "request body")
    .option("--timeout <ms>", "how long to wait for the reply", positiveInt, 5_000)
    .action(
      action((subject: string, payload: string | undefined, options: { timeout: number }) =>
        withNatsBus("req", async (b, tools) => {
          const request = tools.requestPayload(subject, tools.parsePayload(payload));
          const reply = await b.request(subject, request, { timeoutMs: options.timeout });
          process.stdout.write(`${tools.formatReply(reply)}\n`);
        }),
      ),
    );
}
