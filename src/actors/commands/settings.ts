/**
 * `get <key>` and `set <key> <value>`: an actor's live settings, each checked by the same schema
 * piece that checks its template field, so a value a template would refuse is refused here too.
 * A set changes the running actor only; the template file is the human's to edit.
 */
import type { z } from "zod";
import { InvalidInputError } from "../../domain/errors.js";
import { closest } from "./closest.js";
import type { CommandSpec } from "./types.js";

export interface Setting {
  /** The template field's schema (zod). */
  schema: z.ZodType;
  get(): unknown;
  set(value: unknown): void;
}

export type Settings = Readonly<Record<string, Setting>>;

/** The `get` and `set` commands over `settings()` (read on every call: settings may change). */
export function settingCommands(actor: string, settings: () => Settings): CommandSpec[] {
  const find = (key: string | undefined): [string, Setting] => {
    const all = settings();
    const keys = Object.keys(all);
    if (key === undefined) {
      throw new InvalidInputError(
        keys.length === 0 ? `${actor} has no settings` : `which setting? (${keys.join(", ")})`,
      );
    }
    const setting = all[key];
    if (setting === undefined) {
      const guess = closest(key, keys);
      throw new InvalidInputError(
        `${actor} has no setting '${key}'` +
          (guess === undefined ? "" : ` — did you mean '${guess}'?`) +
          ` (settings: ${keys.join(", ") || "none"})`,
      );
    }
    return [key, setting];
  };
  const keyCompletion = (index: number) => (index === 0 ? Object.keys(settings()) : []);
  return [
    {
      name: "get",
      usage: "get [key]",
      summary: "show one setting, or all of them",
      complete: keyCompletion,
      run: ([key]) => {
        if (key === undefined)
          return Object.fromEntries(Object.entries(settings()).map(([k, s]) => [k, s.get()]));
        const [name, setting] = find(key);
        return { [name]: setting.get() };
      },
    },
    {
      name: "set",
      usage: "set <key> <value>",
      summary: "change a setting of the running actor (checked like its template field)",
      mutating: true,
      complete: keyCompletion,
      run: ([key, text, ...rest]) => {
        const [name, setting] = find(key);
        if (text === undefined || rest.length > 0)
          throw new InvalidInputError(`set needs one value: set ${name} <value>`);
        const value = parseValue(setting.schema, text, name);
        const before = setting.get();
        setting.set(value);
        return { [name]: setting.get(), was: before };
      },
    },
  ];
}

/** The text as the schema wants it: as written, else as a number or a boolean. */
function parseValue(schema: z.ZodType, text: string, name: string): unknown {
  const asText = schema.safeParse(text);
  if (asText.success) return asText.data;
  const candidates: unknown[] = [];
  if (text.trim() !== "" && Number.isFinite(Number(text))) candidates.push(Number(text));
  if (text === "true" || text === "false") candidates.push(text === "true");
  let last = asText;
  for (const candidate of candidates) {
    const parsed = schema.safeParse(candidate);
    if (parsed.success) return parsed.data;
    last = parsed;
  }
  const issue = last.error?.issues[0];
  throw new InvalidInputError(
    `${name}: ${issue?.message ?? "invalid value"} (got ${JSON.stringify(text)})`,
  );
}
