/**
 * A YAML config file kept as a Document, so any path in the parsed data can be traced back to the
 * line and column a human would edit. Syntax errors, duplicate keys and unresolved tags are all
 * errors (a config is better refused than half-read). Merge keys (`<<: *defaults`) are allowed and
 * followed when locating a field.
 */

import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from "yaml";
import type { z } from "zod";
import {
  ConfigError,
  type ConfigIssue,
  formatPath,
  type Issue,
  issuesFromZod,
  type PathSegment,
} from "./issues.js";

/** Aliases may not expand a small file into a huge object (a "billion laughs" file). */
const MAX_ALIAS_COUNT = 100;

interface Located {
  /** The deepest node reached and the key that led to it (none for the root or a list item). */
  node: unknown;
  key: unknown;
  complete: boolean;
}

export class YamlSource {
  private constructor(
    readonly file: string,
    readonly data: unknown,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /** Parses `text`; throws a ConfigError naming `file:line:col` for every YAML problem. */
  static parse(text: string, file: string): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, merge: true });
    const problems = [...doc.errors, ...doc.warnings];
    if (problems.length > 0) {
      throw new ConfigError(
        problems.map((problem) => {
          const { line, col } = lines.linePos(problem.pos[0]);
          const message = problem.message.split("\n")[0] ?? problem.code;
          return { file, line, column: col, field: "YAML", message };
        }),
      );
    }
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      const message = (err as Error).message.split("\n")[0] ?? "unreadable";
      throw new ConfigError([{ file, line: 1, column: 1, field: "YAML", message }], { cause: err });
    }
    return new YamlSource(file, data, doc, lines);
  }

  /**
   * The data checked against `schema` (defaults applied); throws a ConfigError listing every
   * issue at its line.
   */
  shape<S extends z.ZodType>(schema: S): z.output<S> {
    const result = schema.safeParse(this.data);
    if (!result.success) throw this.error(issuesFromZod(result.error.issues, this.data));
    return result.data;
  }

  /** The issues placed at their lines, as one error to throw. */
  error(issues: readonly Issue[]): ConfigError {
    return new ConfigError(issues.map((issue) => this.place(issue)));
  }

  private place(issue: Issue): ConfigIssue {
    const { node, key, complete } = this.locate(issue.path);
    // A field that is missing is reported at the key of the mapping that lacks it.
    const target = complete && issue.at !== "key" ? (node ?? key) : (key ?? node);
    const offset = rangeStart(target) ?? rangeStart(node) ?? 0;
    const { line, col } = this.lines.linePos(offset);
    return {
      file: this.file,
      line,
      column: col,
      field: formatPath(issue.path),
      message: issue.message,
    };
  }

  private locate(path: readonly PathSegment[]): Located {
    let node: unknown = this.doc.contents;
    let key: unknown;
    for (const segment of path) {
      const step = this.child(node, segment);
      if (step === undefined) return { node, key, complete: false };
      ({ node, key } = step);
    }
    return { node, key, complete: true };
  }

  private child(
    parent: unknown,
    segment: PathSegment,
  ): { node: unknown; key: unknown } | undefined {
    const container = this.resolve(parent);
    if (isSeq(container)) {
      return typeof segment === "number" && segment < container.items.length
        ? { node: container.items[segment], key: undefined }
        : undefined;
    }
    if (!isMap(container)) return undefined;
    for (const pair of container.items) {
      if (isScalar(pair.key) && String(pair.key.value) === String(segment)) {
        return { node: pair.value ?? undefined, key: pair.key };
      }
    }
    for (const pair of container.items) {
      if (!isScalar(pair.key) || !isMergeKey(pair.key.value)) continue;
      const merged = this.resolve(pair.value);
      const sources = isSeq(merged) ? merged.items : [merged];
      for (const source of sources) {
        const found = this.child(source, segment);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  }

  private resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }
}

/** yaml marks a merge key with a symbol in recent versions, the plain string in older ones. */
function isMergeKey(value: unknown): boolean {
  return value === "<<" || (typeof value === "symbol" && value.description === "<<");
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | undefined)?.range;
  return range === undefined || range === null ? undefined : range[0];
}
