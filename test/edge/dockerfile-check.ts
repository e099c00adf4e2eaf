// The Dockerfile's structure, for tests that cannot build it (no Docker engine here).
import { SERVICE_COMMAND_LINE_FLAGS, SERVICE_HEAP_FLAGS } from "#kit/config.js";

export interface Instruction {
  op: string;
  args: string;
  line: number;
}
export interface Stage {
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

/** The stage's ENV, as `ENV KEY=value` (value optionally double-quoted) lines set it. */
export function imageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of stage.body.filter((i) => i.op === "ENV")) {
    for (const [, key = "", quoted, bare] of args.matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/g)) env[key] = quoted ?? bare ?? "";
  }
  return env;
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
  else if (JSON.stringify(JSON.parse(entrypoint.args)) !== JSON.stringify(["node", ...SERVICE_COMMAND_LINE_FLAGS, "dist/tools/outerpark.js"]))
    problems.push(`ENTRYPOINT is ${entrypoint.args}`);
  const nodeOptions = imageEnv(final).NODE_OPTIONS;
  if (nodeOptions !== SERVICE_HEAP_FLAGS.join(" "))
    problems.push(`NODE_OPTIONS is ${nodeOptions ?? "not set"}, not the heap flags (${SERVICE_HEAP_FLAGS.join(" ")})`);
  const cmd = final.body.filter((i) => i.op === "CMD").at(-1);
  if (!cmd || !isExecForm(cmd.args)) problems.push("CMD must be exec form");
  const stop = final.body.filter((i) => i.op === "STOPSIGNAL").at(-1);
  if (stop?.args !== "SIGTERM") problems.push("STOPSIGNAL must be SIGTERM");
  return problems;
}
