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
    },
  },
);
