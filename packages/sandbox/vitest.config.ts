import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "sandbox",
    include: ["test/**/*.test.ts"],
    passWithNoTests: true,
    // Sandboxes start proxies and kernel-restricted children: generous under a loaded 2-core CI.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
