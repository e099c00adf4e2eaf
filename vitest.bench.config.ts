import { defineConfig } from "vitest/config";
import { resolveSources } from "./vitest.config.ts";

/** `make bench`: speed and memory goals, measured apart from the tests. */
export default defineConfig({
  ...resolveSources,
  test: {
    include: ["test/bench/**/*.bench.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 1_300_000,
  },
});
