import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "landlock-abi",
    include: ["test/**/*.test.ts"],
  },
});
