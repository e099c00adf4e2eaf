import path from "node:path";
import { defaultClientConditions, defineConfig } from "vite";

// The app imports the contracts' generated code from gen/ (package.json "imports": #gen/*), as TypeScript sources.
export default defineConfig({
  root: import.meta.dirname,
  resolve: { conditions: ["outerpark-source", ...defaultClientConditions] },
  oxc: { jsx: { runtime: "automatic" } },
  build: {
    outDir: path.resolve(import.meta.dirname, "../dist/web"),
    emptyOutDir: true,
    sourcemap: true,
    // One chunk (~630 kB, ~185 kB gzipped: React, protobuf-es and the contracts' descriptors) loads once and is cached for good.
    chunkSizeWarningLimit: 800,
    rolldownOptions: {
      // React Query marks its hooks "use client" for server-component bundlers; a client-only app has nothing to keep.
      onLog: (level, log, handler) => (log.code === "MODULE_LEVEL_DIRECTIVE" ? undefined : handler(level, log)),
    },
  },
});
