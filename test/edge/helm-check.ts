// `make helm-check` as functions: build helm if missing, lint, render with a
// values file, and validate every rendered manifest strictly.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { describeManifest, schemaErrors, UnknownKeyChecker } from "./k8s-schema.js";
import { KEY_OWNERS, generateKeySet, type KeySet } from "../../tools/keys.js";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const chartDir = join(repoRoot, "deploy/helm/outerpark");
export const productionValues = join(repoRoot, "deploy/helm/values-production.yaml");
const helmBin = join(repoRoot, ".tools/bin/helm");

/**
 * The Kubernetes version helm renders for. A helm built by `go install` lacks
 * the release ldflags and would claim v1.20; the chart needs >= 1.30.
 */
export const KUBE_VERSION = "1.32.0";

/** A values file of the test's own (JSON is YAML), removed with the process's temp dir. */
export function valuesFile(values: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "outerpark-values-"));
  const file = join(dir, "values.yaml");
  writeFileSync(file, JSON.stringify(values));
  return file;
}

/** Keys made the way `outerpark.js keys` makes them, generated for this test run. */
export const testKeys: KeySet = generateKeySet(KEY_OWNERS, "20261125-test");

/** auth values with testKeys: the public JWKS and reservation's private key (what a demo install passes with --set-file). */
export const keyValues = valuesFile({
  auth: { jwks: JSON.stringify(testKeys.jwks), reservationKey: { key: JSON.stringify(testKeys.privateKeys.reservation) } },
});

/** Builds the pinned helm with tools/go-tools.sh when it is missing. */
export function ensureHelm(): string {
  if (!existsSync(helmBin)) {
    execFileSync(join(repoRoot, "tools/go-tools.sh"), ["helm"], { stdio: "inherit" });
  }
  return helmBin;
}

/** Builds the pinned promtool with tools/go-tools.sh when it is missing. */
export function ensurePromtool(): string {
  const bin = join(repoRoot, ".tools/bin/promtool");
  if (!existsSync(bin)) execFileSync(join(repoRoot, "tools/go-tools.sh"), ["promtool"], { stdio: "inherit" });
  return bin;
}

function helm(args: string[]): string {
  return execFileSync(ensureHelm(), args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
}

/** `helm lint --strict`; throws with helm's output on any warning or error. */
export function helmLint(valuesFiles: string[] = [keyValues]): string {
  return helm(["lint", "--strict", "--kube-version", KUBE_VERSION, chartDir, ...valuesFiles.flatMap((f) => ["-f", f])]);
}

/**
 * NOTES.txt as `helm install` would print it. `helm template` skips NOTES, and
 * an install needs a cluster, so a copy of the chart renders it through tpl.
 */
export function renderNotes(valuesFiles: string[] = [keyValues]): string {
  const copy = mkdtempSync(join(tmpdir(), "outerpark-notes-"));
  try {
    cpSync(chartDir, copy, { recursive: true });
    renameSync(join(copy, "templates/NOTES.txt"), join(copy, "NOTES.src"));
    writeFileSync(join(copy, "templates/zz-notes.yaml"), 'notes: {{ tpl (.Files.Get "NOTES.src") . | toJson }}\n');
    const out = helm([
      "template",
      "outerpark",
      copy,
      "--namespace",
      "outerpark",
      "--kube-version",
      KUBE_VERSION,
      "--show-only",
      "templates/zz-notes.yaml",
      ...valuesFiles.flatMap((f) => ["-f", f]),
    ]);
    return (parseManifests(out)[0] as unknown as { notes: string }).notes;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
} & Record<string, any>;

/** `helm template`, parsed strictly (duplicate keys are errors). */
export function helmTemplate(valuesFiles: string[] = [keyValues], set: string[] = [], release = "outerpark"): Manifest[] {
  const out = helm([
    "template",
    release,
    chartDir,
    "--namespace",
    "outerpark",
    "--kube-version",
    KUBE_VERSION,
    ...valuesFiles.flatMap((f) => ["-f", f]),
    ...set.flatMap((s) => ["--set", s]),
  ]);
  return parseManifests(out);
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text, { uniqueKeys: true, strict: true }).flatMap((doc) => {
    if (doc.errors.length) throw new Error(doc.errors.map((e) => e.message).join("\n"));
    const value = doc.toJS();
    return value ? [value as Manifest] : [];
  });
}

export interface ManifestReport {
  manifests: number;
  keysWalked: number;
  errors: string[];
}

/** kubernetes-models schema validation plus the unknown-key walk, for every manifest. */
export async function validateManifests(manifests: Manifest[]): Promise<ManifestReport> {
  const checker = new UnknownKeyChecker(manifests);
  const errors: string[] = [];
  for (const m of manifests) {
    for (const e of await schemaErrors(m)) errors.push(`${describeManifest(m)}: ${e}`);
    for (const e of checker.unknownKeys(m)) errors.push(`${describeManifest(m)}: ${e}`);
  }
  return { manifests: manifests.length, keysWalked: checker.keysWalked, errors };
}
