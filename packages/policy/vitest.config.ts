import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "policy",
    include: ["test/**/*.test.ts"],
    passWithNoTests: true,
    // Property tests and the 100,000-rule index test under a loaded 2-core CI.
    testTimeout: 30_000,
  },
});
