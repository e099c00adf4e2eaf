import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// `#kit/*` and `#gen/*` (package.json "imports") resolve to the TypeScript sources here, to dist/ at run time.
const conditions = ["outerpark-source", ...defaultServerConditions];
export const resolveSources = { resolve: { conditions }, ssr: { resolve: { conditions } } };

export default defineConfig({
  ...resolveSources,
  test: {
    include: ["kit/**/*.test.ts", "services/**/*.test.ts", "tools/**/*.test.ts", "test/**/*.test.ts", "web/src/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    // Suites start real service processes: one file at a time on a 2-core machine.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default"],
  },
});
