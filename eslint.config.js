import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "gen/", "test/support/grpc-types/", "node_modules/", ".tools/", ".data/", "deploy/helm/**/files/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // Generated descriptors and grpc-js clients are untyped at the edges.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-unsafe-function-type": "off",
      // The kit and the generated code are reached by name (package.json "imports"), never by climbing folders.
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["../../../*"], message: "Import across top-level folders by name (#kit/…, #gen/…), not by climbing more than two levels." },
            { group: ["**/kit/src/*", "!./*"], message: "Import the kit as #kit/…" },
            { group: ["**/gen/*"], message: "Import generated code as #gen/…" },
          ],
        },
      ],
    },
  },
  {
    // Run by node directly (type stripping), which neither maps .js to .ts nor applies the "outerpark-source" condition.
    files: ["envoy/generate.ts", "deploy/grafana/generate.ts"],
    rules: { "no-restricted-imports": "off" },
  },
);
