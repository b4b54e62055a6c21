import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "e2e",
    include: ["test/**/*.test.ts", "escape/**/*.test.ts", "workloads/**/*.test.ts"],
    testTimeout: 30_000,
    passWithNoTests: true,
  },
});
