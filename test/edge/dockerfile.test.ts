// No Docker engine here: the Dockerfile is linted for structure instead.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { SERVICE_NODE_FLAGS } from "#kit/config.js";
import { repoRoot } from "./helm-check.js";

interface Instruction {
  op: string;
  args: string;
  line: number;
}
interface Stage {
  from: string;
  name?: string;
  body: Instruction[];
}

/** Instructions with continuation lines joined and comments dropped. */
export function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const instructions: Instruction[] = [];
  let pending = "";
  let start = 0;
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === "" || line.startsWith("#"))) return;
    if (!pending) start = i + 1;
    pending += (pending ? " " : "") + line.replace(/\\$/, "").trim();
    if (line.endsWith("\\")) return;
    const [, op = "", args = ""] = /^(\S+)\s*(.*)$/.exec(pending) ?? [];
    instructions.push({ op: op.toUpperCase(), args, line: start });
    pending = "";
  });
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.op === "FROM") {
      const [from = "", as, name] = ins.args.split(/\s+/);
      stages.push({ from: from.replace(/\$\{(\w+)\}/g, (_, k: string) => args[k] ?? ""), ...(as?.toUpperCase() === "AS" ? { name } : {}), body: [] });
    } else if (stages.length === 0 && ins.op === "ARG") {
      const [k = "", v = ""] = ins.args.split("=");
      args[k] = v;
    } else {
      stages.at(-1)?.body.push(ins);
    }
  }
  return { args, stages };
}

const isExecForm = (args: string) => {
  try {
    const v = JSON.parse(args);
    return Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === "string");
  } catch {
    return false;
  }
};

/** The rules the image must keep; returns the broken ones. */
export function lintDockerfile(text: string): string[] {
  const problems: string[] = [];
  const { stages } = parseDockerfile(text);
  const names = stages.map((s) => s.name);
  for (const want of ["build", "runtime"]) if (!names.includes(want)) problems.push(`no "${want}" stage`);
  for (const s of stages) if (!/^node:24(\.[\d.]+)?-slim$/.test(s.from)) problems.push(`stage ${s.name} is FROM ${s.from}, not node:24 slim`);

  const build = stages.find((s) => s.name === "build");
  const runs = (s: Stage | undefined) => s?.body.filter((i) => i.op === "RUN").map((i) => i.args) ?? [];
  if (!runs(build).some((r) => /\bnpm ci\b/.test(r))) problems.push("build stage does not npm ci");
  if (!runs(build).some((r) => /\btsc\b.*tsconfig\.build\.json/.test(r))) problems.push("build stage does not run tsc -p tsconfig.build.json");

  const final = stages.at(-1);
  if (!final) return [...problems, "no stages"];
  // Dependencies the final image gets: installed there, or copied from a stage.
  const depStages = [
    final,
    ...stages.filter((s) => final.body.some((i) => i.op === "COPY" && i.args.includes(`--from=${s.name}`) && i.args.includes("node_modules"))),
  ];
  for (const s of depStages) {
    for (const r of runs(s)) {
      if (/\bnpm (install|i|add)\b/.test(r)) problems.push(`stage ${s.name}: npm install in the shipped dependencies (use npm ci)`);
      if (/\bnpm ci\b/.test(r) && !/--omit=dev/.test(r)) problems.push(`stage ${s.name}: npm ci without --omit=dev ships dev dependencies`);
    }
  }
  if (!final.body.some((i) => i.op === "COPY" && /--from=build\b.*\bdist\b/.test(i.args)))
    problems.push("final stage does not copy dist/ from build");

  const users = final.body.filter((i) => i.op === "USER").map((i) => i.args.split(":")[0]!.trim());
  const user = users.at(-1);
  if (!user) problems.push("final stage has no USER");
  else if (user === "root" || user === "0" || !/^[1-9]\d*$/.test(user)) problems.push(`final USER ${user} must be a numeric non-root uid`);

  const entrypoint = final.body.filter((i) => i.op === "ENTRYPOINT").at(-1);
  if (!entrypoint || !isExecForm(entrypoint.args)) problems.push("ENTRYPOINT must be exec form (no shell to swallow SIGTERM)");
  else if (JSON.stringify(JSON.parse(entrypoint.args)) !== JSON.stringify(["node", ...SERVICE_NODE_FLAGS, "dist/tools/outerpark.js"]))
    problems.push(`ENTRYPOINT is ${entrypoint.args}`);
  const cmd = final.body.filter((i) => i.op === "CMD").at(-1);
  if (!cmd || !isExecForm(cmd.args)) problems.push("CMD must be exec form");
  const stop = final.body.filter((i) => i.op === "STOPSIGNAL").at(-1);
  if (stop?.args !== "SIGTERM") problems.push("STOPSIGNAL must be SIGTERM");
  return problems;
}

const dockerfile = readFileSync(join(repoRoot, "Dockerfile"), "utf8");

describe("Dockerfile", () => {
  test("keeps every structural rule", () => {
    expect(lintDockerfile(dockerfile)).toEqual([]);
  });

  test("runs as the uid the chart expects", () => {
    const values = readFileSync(join(repoRoot, "deploy/helm/outerpark/values.yaml"), "utf8");
    const uid = /runAsUser: (\d+)/.exec(values)?.[1];
    expect(
      parseDockerfile(dockerfile)
        .stages.at(-1)!
        .body.find((i) => i.op === "USER")?.args,
    ).toBe(`${uid}:${uid}`);
  });

  test("every COPY source exists and is let through .dockerignore", () => {
    const ignore = readFileSync(join(repoRoot, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    expect(ignore[0]).toBe("*"); // an allow-list: nothing reaches the build context by accident
    const allowed = ignore.filter((l) => l.startsWith("!")).map((l) => l.slice(1).replace(/\/$/, ""));
    for (const stage of parseDockerfile(dockerfile).stages) {
      for (const copy of stage.body.filter((i) => i.op === "COPY" && !i.args.includes("--from="))) {
        const sources = copy.args.split(/\s+/).slice(0, -1);
        for (const src of sources) {
          expect(existsSync(join(repoRoot, src)), `${src} exists`).toBe(true);
          expect(allowed, `${src} allowed by .dockerignore`).toContain(src.replace(/\/$/, ""));
        }
      }
    }
  });

  const broken: [string, (t: string) => string, RegExp][] = [
    ["a shell-form ENTRYPOINT", (t) => t.replace(/ENTRYPOINT \[.*\]/, "ENTRYPOINT node dist/tools/outerpark.js"), /exec form/],
    ["running as root", (t) => t.replace("USER 10001:10001", "USER root"), /non-root/],
    ["a missing USER", (t) => t.replace("USER 10001:10001\n", ""), /no USER/],
    ["npm install in the final stage", (t) => t.replace("USER 10001", "RUN npm install left-pad\nUSER 10001"), /npm install/],
    ["dev dependencies shipped", (t) => t.replace("npm ci --omit=dev", "npm ci"), /--omit=dev/],
    ["another base image", (t) => t.replace("FROM node:${NODE_VERSION}-slim AS runtime", "FROM node:20 AS runtime"), /not node:24 slim/],
    ["no STOPSIGNAL", (t) => t.replace("STOPSIGNAL SIGTERM\n", ""), /STOPSIGNAL/],
  ];
  test.each(broken)("lint catches %s", (_name, mutate, message) => {
    const text = mutate(dockerfile);
    expect(text).not.toBe(dockerfile);
    expect(lintDockerfile(text).join("\n")).toMatch(message);
  });
});
