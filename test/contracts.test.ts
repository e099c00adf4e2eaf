import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const buf = path.join(root, "node_modules/.bin/buf");
const run = promisify(execFile);

function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(path.join(dir, entry.name), base) : [path.relative(base, path.join(dir, entry.name))],
  );
}

/** Every file under `generated` is under `committed` with the same content, and no other; returns the count. */
function expectSameFiles(generated: string, committed: string): number {
  const files = filesUnder(generated).sort();
  expect(files).toEqual(filesUnder(committed).sort());
  for (const file of files) {
    expect(readFileSync(path.join(generated, file), "utf8"), file).toBe(readFileSync(path.join(committed, file), "utf8"));
  }
  return files.length;
}

describe("contracts", () => {
  it("buf lint is clean with the STANDARD rules", async () => {
    const { stdout, stderr } = await run(buf, ["lint"], { cwd: root });
    expect(stdout + stderr).toBe("");
  });

  it("buf generate reproduces the committed gen/ exactly", async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), "outerpark-gen-"));
    try {
      const template = readFileSync(path.join(root, "buf.gen.yaml"), "utf8").replace(/out: gen/, `out: ${out}`);
      const templateFile = path.join(out, "..", `${path.basename(out)}.buf.gen.yaml`);
      writeFileSync(templateFile, template);
      await run(buf, ["generate", "--template", templateFile], { cwd: root });
      rmSync(templateFile);
      console.log(`contracts: ${expectSameFiles(out, path.join(root, "gen"))} generated files identical to gen/`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("make grpc-types reproduces the tests' committed client types exactly", async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), "outerpark-grpc-types-"));
    try {
      await run("make", ["--no-print-directory", "grpc-types", `GRPC_TYPES=${out}`], { cwd: root });
      console.log(
        `contracts: ${expectSameFiles(out, path.join(root, "test/support/grpc-types"))} generated files identical to test/support/grpc-types/`,
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("buf breaking: the contracts are compatible with their first commit, and a removed field is caught", async () => {
    const { stdout } = await run("git", ["log", "--format=%H", "--diff-filter=A", "--", "buf.yaml"], { cwd: root });
    const first = stdout.trim().split("\n").at(-1);
    expect(first).toMatch(/^[0-9a-f]{40}$/);
    await run(buf, ["breaking", "--against", `.git#ref=${first}`], { cwd: root });

    const broken = mkdtempSync(path.join(os.tmpdir(), "outerpark-breaking-"));
    try {
      await run("cp", ["-r", `${path.join(root, "proto")}/.`, broken]);
      const file = path.join(broken, "outerpark/musical/v1/musical.proto");
      writeFileSync(file, readFileSync(file, "utf8").replace("  int64 seat_price = 4;\n}", "}"));
      const outcome = await run(buf, ["breaking", broken, "--against", path.join(root, "proto")]).then(
        () => "passed",
        (error: { stdout?: string }) => error.stdout ?? "",
      );
      expect(outcome).toMatch(/seat_price|deleted/i);
      console.log(`contracts: buf breaking compatible since ${first!.slice(0, 8)}; a deleted field is reported`);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});
