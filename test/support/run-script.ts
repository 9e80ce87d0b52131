import { spawn } from "node:child_process";

export interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs an ES-module snippet in a fresh Node process (TypeScript imports allowed through tsx), with
 * `module` as process.argv[1]: for what only a new process shows (start-up, exit hooks).
 */
export async function runScript(
  lines: string[],
  module: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ScriptResult> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", lines.join("\n"), module],
    { stdio: ["ignore", "pipe", "pipe"], env },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, stdout, stderr };
}
