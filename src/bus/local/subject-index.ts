/**
 * Subscription index: a trie over subject tokens, like the NATS server's sublist. `match` returns
 * every value whose pattern matches a literal subject; `*` matches one token, `>` one or more
 * trailing tokens. Callers cache results per subject (see LocalHub), so this only runs on a miss.
 */
interface Node<T> {
  children: Map<string, Node<T>>;
  /** Values whose pattern ends at this node. */
  values: Set<T>;
  /** Values whose pattern is `<this node's path>.>`. */
  tail: Set<T>;
}

function node<T>(): Node<T> {
  return { children: new Map(), values: new Set(), tail: new Set() };
}

export class SubjectIndex<T> {
  private readonly root: Node<T> = node();

  add(pattern: string, value: T): void {
    const tokens = pattern.split(".");
    let at = this.root;
    for (const t of tokens) {
      if (t === ">") {
        at.tail.add(value);
        return;
      }
      let next = at.children.get(t);
      if (next === undefined) {
        next = node();
        at.children.set(t, next);
      }
      at = next;
    }
    at.values.add(value);
  }

  remove(pattern: string, value: T): void {
    const tokens = pattern.split(".");
    const path: Node<T>[] = [this.root];
    let at = this.root;
    for (const t of tokens) {
      if (t === ">") {
        at.tail.delete(value);
        break;
      }
      const next = at.children.get(t);
      if (next === undefined) return;
      path.push(next);
      at = next;
    }
    if (tokens[tokens.length - 1] !== ">") at.values.delete(value);
    // Prune empty branches so a long-running process does not accumulate dead nodes.
    for (let i = path.length - 1; i > 0; i--) {
      const n = path[i]!;
      if (n.children.size > 0 || n.values.size > 0 || n.tail.size > 0) break;
      path[i - 1]!.children.delete(tokens[i - 1]!);
    }
  }

  match(subject: string): T[] {
    const out: T[] = [];
    this.collect(this.root, subject.split("."), 0, out);
    return out;
  }

  private collect(at: Node<T>, tokens: string[], i: number, out: T[]): void {
    if (i === tokens.length) {
      for (const v of at.values) out.push(v);
      return;
    }
    for (const v of at.tail) out.push(v);
    const literal = at.children.get(tokens[i]!);
    if (literal !== undefined) this.collect(literal, tokens, i + 1, out);
    const star = at.children.get("*");
    if (star !== undefined) this.collect(star, tokens, i + 1, out);
  }
}
