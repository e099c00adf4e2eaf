// tools/go-tools.sh: selectable by name, and a no-op for tools already built.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { expect, test } from "vitest";
import { ensureHelm, repoRoot } from "./helm-check.js";

const script = join(repoRoot, "tools/go-tools.sh");

test("an unknown tool name is refused with the known names", () => {
  const r = spawnSync(script, ["helmm"], { encoding: "utf8" });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/unknown tool 'helmm' \(known: helm grpcurl nats-server ghz promtool hydra\)/);
});

test(
  "a tool already built is not built again",
  () => {
    ensureHelm();
    const r = spawnSync(script, ["helm"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(""); // nothing was built
  },
  20 * 60_000,
);

test("helm reports the pinned version", () => {
  const r = spawnSync(ensureHelm(), ["version", "--short"], { encoding: "utf8" });
  expect(r.stdout).toMatch(/^v3\.21\.4/);
});
