/**
 * Splits a command line into words: whitespace separates, "double" or 'single' quotes keep spaces
 * inside one word, a backslash escapes the next character inside double quotes and outside quotes.
 */
import { InvalidInputError } from "../../domain/errors.js";

/**
 * @example
 * words(`set risk.maxOrderNotional "2500"`); // ["set", "risk.maxOrderNotional", "2500"]
 */
export function words(line: string): string[] {
  const out: string[] = [];
  let word = "";
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
      continue;
    }
    if (c === "\\" && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === " " || c === "\t") {
      if (inWord) out.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote !== undefined)
    throw new InvalidInputError(`unclosed ${quote} quote in the command line`);
  if (inWord) out.push(word);
  return out;
}
