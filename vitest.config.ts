import { defineConfig } from "vitest/config";

// One process, every package as a project: `pnpm exec vitest run` from the root.
// Each package's own `test` script runs it alone (what turbo and CI use).
export default defineConfig({
  test: { projects: ["packages/*", "apps/*", "test-e2e"] },
});
