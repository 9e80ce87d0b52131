import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // No test reaches beyond loopback: any other connection or DNS lookup fails at once.
    setupFiles: ["test/setup/loopback-only.ts"],
    // Integration tests start their own nats-server per file; keep the 2-core machine responsive.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Actors and buses log to stderr; keep test output readable unless a developer asks for logs.
    env: { CRYPY_LOG_LEVEL: process.env.CRYPY_LOG_LEVEL ?? "silent" },
  },
});
