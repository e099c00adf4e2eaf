// No Docker engine here: the Dockerfile is linted for structure instead.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { repoRoot } from "./helm-check.js";
import { lintDockerfile, parseDockerfile } from "./dockerfile-check.js";

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
    [
      "a heap size on the command line, where no deployment's NODE_OPTIONS can replace it",
      (t) => t.replace('ENTRYPOINT ["node", ', 'ENTRYPOINT ["node", "--max-old-space-size=100", '),
      /ENTRYPOINT is/,
    ],
    ["no heap sizes in NODE_OPTIONS", (t) => t.replace(/^ENV NODE_OPTIONS=.*\n/m, ""), /NODE_OPTIONS is not set/],
  ];
  test.each(broken)("lint catches %s", (_name, mutate, message) => {
    const text = mutate(dockerfile);
    expect(text).not.toBe(dockerfile);
    expect(lintDockerfile(text).join("\n")).toMatch(message);
  });
});
