import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "landlock-native",
    include: ["test/**/*.test.ts"],
    // Enforcing cases fork fresh children; keep files in one pool so the two cores are not oversubscribed.
    testTimeout: 20_000,
  },
});
