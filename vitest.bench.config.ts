import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.js";

/** `make bench`: speed and memory goals, measured apart from the tests. */
export default mergeConfig(base, defineConfig({ test: { include: ["test/bench/**/*.bench.test.ts"], testTimeout: 600_000 } }));
