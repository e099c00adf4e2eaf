// One source for ports: kit/src/config.ts (DEFAULT_PORTS, DEFAULT_METRICS_PORTS, DEFAULT_GATEWAY_PORT).
// TypeScript imports it (envoy/generate.ts, tools/up.ts, the service modules);
// the files that cannot (the chart, the Dockerfile, the READMEs) keep written
// copies, and this test fails when any copy drifts or a new literal appears.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, test } from "vitest";
import { DEFAULT_GATEWAY_PORT, DEFAULT_METRICS_PORTS, DEFAULT_PORTS, SERVICE_NAMES } from "#kit/config.js";
import { repoRoot } from "./helm-check.js";

const read = (file: string) => readFileSync(join(repoRoot, file), "utf8");
const servicePorts = SERVICE_NAMES.map((name) => DEFAULT_PORTS[name]);
const metricsPorts = SERVICE_NAMES.map((name) => DEFAULT_METRICS_PORTS[name]);
const firstPort = Math.min(...servicePorts);
const lastPort = Math.max(...servicePorts);

/** The written copies, each read back as the ports it states. */
export function portCopies(readText: (file: string) => string = read) {
  const helpers = readText("deploy/helm/outerpark/templates/_helpers.tpl");
  const chartDict = /define "outerpark\.ports" -}}\s*{{- dict ((?:"\w+" \d+ ?)+)/.exec(helpers)?.[1] ?? "";
  const chartPorts = Object.fromEntries([...chartDict.matchAll(/"(\w+)" (\d+)/g)].map(([, name, port]) => [name, Number(port)]));
  const chartGateway = Number(/define "outerpark\.gatewayPort" -}}(\d+){{/.exec(helpers)?.[1]);
  const metricsDict = /define "outerpark\.metricsPorts" -}}\s*{{- dict ((?:"\w+" \d+ ?)+)/.exec(helpers)?.[1] ?? "";
  const chartMetricsPorts = Object.fromEntries([...metricsDict.matchAll(/"(\w+)" (\d+)/g)].map(([, name, port]) => [name, Number(port)]));

  const exposed = [...readText("Dockerfile").matchAll(/^EXPOSE (.+)$/gm)].flatMap(([, ports = ""]) => ports.trim().split(/\s+/)).map(Number);

  const readme = readText("README.md");
  const readmeTable = Object.fromEntries([...readme.matchAll(/^\| (\w+) \| (\d+) \| `outerpark\./gm)].map(([, name, port]) => [name, Number(port)]));
  const readmeGateway = [...readme.matchAll(/simulated payment gateway \(:(\d+)\)|`GATEWAY_PORT` \((\d+)\)/g)].map((m) => Number(m[1] ?? m[2]));

  const deployReadme = readText("deploy/README.md");
  const deployRanges = [...deployReadme.matchAll(/(\d{4})-(\d{4})/g)].map(([, from, to]) => [Number(from), Number(to)]);
  const deployGateway = [...deployReadme.matchAll(/-p (\d+):(\d+) IMAGE gateway/g)].flatMap(([, outside, inside]) => [
    Number(outside),
    Number(inside),
  ]);
  const valuesGateway = [...readText("deploy/helm/outerpark/values.yaml").matchAll(/`outerpark\.js gateway` on (\d+)/g)].map((m) => Number(m[1]));

  return { chartPorts, chartGateway, chartMetricsPorts, exposed, readmeTable, readmeGateway, deployRanges, deployGateway, valuesGateway };
}

/** Every place a copy disagrees with kit/src/config.ts, in words. */
export function portDrift(copies: ReturnType<typeof portCopies>): string[] {
  const problems: string[] = [];
  const expectedServices = JSON.stringify(DEFAULT_PORTS, [...SERVICE_NAMES].sort());
  const same = (ports: Record<string, number>) => JSON.stringify(ports, Object.keys(ports).sort()) === expectedServices;
  if (!same(copies.chartPorts)) problems.push(`chart outerpark.ports is ${JSON.stringify(copies.chartPorts)}`);
  if (copies.chartGateway !== DEFAULT_GATEWAY_PORT) problems.push(`chart outerpark.gatewayPort is ${copies.chartGateway}`);
  const expectedMetrics = JSON.stringify(DEFAULT_METRICS_PORTS, [...SERVICE_NAMES].sort());
  if (JSON.stringify(copies.chartMetricsPorts, Object.keys(copies.chartMetricsPorts).sort()) !== expectedMetrics)
    problems.push(`chart outerpark.metricsPorts is ${JSON.stringify(copies.chartMetricsPorts)}`);
  const exposed = [...copies.exposed].sort((a, b) => a - b);
  const wanted = [...servicePorts, DEFAULT_GATEWAY_PORT].sort((a, b) => a - b);
  if (JSON.stringify(exposed) !== JSON.stringify(wanted)) problems.push(`Dockerfile EXPOSE is ${exposed.join(" ")}`);
  if (!same(copies.readmeTable)) problems.push(`README's port table is ${JSON.stringify(copies.readmeTable)}`);
  const gatewayCopies = { "README.md": copies.readmeGateway, "deploy/README.md": copies.deployGateway, "values.yaml": copies.valuesGateway };
  for (const [file, ports] of Object.entries(gatewayCopies)) {
    if (ports.length === 0 || ports.some((p) => p !== DEFAULT_GATEWAY_PORT))
      problems.push(`${file} gives the gateway port as ${JSON.stringify(ports)}`);
  }
  // Ranges in deploy/README.md are the service ports or the metrics ports (each + 1000).
  const isRange = ([from, to]: number[], first: number, last: number) => from === first && to === last;
  const firstMetrics = Math.min(...metricsPorts);
  const lastMetrics = Math.max(...metricsPorts);
  if (
    !copies.deployRanges.some((r) => isRange(r, firstPort, lastPort)) ||
    copies.deployRanges.some((r) => !isRange(r, firstPort, lastPort) && !isRange(r, firstMetrics, lastMetrics))
  ) {
    problems.push(`deploy/README.md gives the service ports as ${JSON.stringify(copies.deployRanges)}`);
  }
  return problems;
}

/** Production source files (not tests) that spell a service or gateway port as a number. */
function strayLiterals(): string[] {
  const ports = new RegExp(`\\b(${[...servicePorts, ...metricsPorts, DEFAULT_GATEWAY_PORT].join("|")})\\b`);
  const roots = ["kit/src", "services", "tools", "envoy/generate.ts", "deploy/helm/outerpark/templates"];
  const allowed = new Set(["kit/src/config.ts", "deploy/helm/outerpark/templates/_helpers.tpl"]);
  const files: string[] = [];
  const walk = (path: string) => {
    const entries = readdirSync(path, { withFileTypes: true });
    for (const entry of entries) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|ya?ml|tpl|txt)$/.test(entry.name) && !entry.name.endsWith(".test.ts")) files.push(relative(repoRoot, full));
    }
  };
  for (const root of roots) {
    if (root.endsWith(".ts")) files.push(root);
    else walk(join(repoRoot, root));
  }
  return files.filter((file) => !allowed.has(file)).filter((file) => ports.test(read(file)));
}

describe("ports have one source, kit/src/config.ts", () => {
  test("the chart, the Dockerfile, README and deploy/README state the same ports", () => {
    expect(portDrift(portCopies())).toEqual([]);
  });

  test("no production source spells a service, metrics or gateway port as a number outside kit/src/config.ts and the chart's helpers", () => {
    expect(strayLiterals()).toEqual([]);
  });

  test("a drifted copy is caught", () => {
    const drifted = (file: string) => {
      const text = read(file);
      if (file === "Dockerfile")
        return text.replace(/^EXPOSE (.*)$/m, (_, ports: string) => `EXPOSE ${ports.replace(String(DEFAULT_PORTS.notice), "9084")}`);
      if (file === "README.md") return text.replace(`| payment | ${DEFAULT_PORTS.payment} |`, "| payment | 9083 |");
      if (file.endsWith("_helpers.tpl"))
        return text
          .replace(`"musical" ${DEFAULT_PORTS.musical}`, `"musical" 7081`)
          .replace(`"payment" ${DEFAULT_METRICS_PORTS.payment}`, `"payment" ${DEFAULT_PORTS.payment}`);
      return text;
    };
    expect(portDrift(portCopies(drifted))).toEqual([
      expect.stringContaining("chart outerpark.ports"),
      expect.stringContaining("chart outerpark.metricsPorts"),
      expect.stringContaining("Dockerfile EXPOSE is"),
      expect.stringContaining("README's port table"),
    ]);
  });
});
