/**
 * Config files: YAML read as a Document so every issue is reported as `file:line:col: field:
 * message`, strict field builders for zod schemas, and atomic, comment-keeping edits. Generic:
 * it knows YAML, zod and src/domain, nothing about venues or actors.
 */

export * as fields from "./fields.js";
export { deepFreeze } from "./freeze.js";
export {
  ConfigError,
  type ConfigIssue,
  describe,
  formatIssue,
  formatPath,
  type Issue,
  issuesFromZod,
  type PathSegment,
} from "./issues.js";
export { YamlSource } from "./source.js";
export { parseDuration, parseInstant, parseTimeframe } from "./time-text.js";
export { editYamlSection, mapAt, readConfigText, seqAt, writeFileAtomic } from "./yaml-file.js";
