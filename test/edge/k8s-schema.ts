// Strict validation of rendered Kubernetes manifests, offline.
//
// kubernetes-models validates types, enums and required fields against the
// Kubernetes OpenAPI schemas, but accepts unknown keys. Its .d.ts files carry
// the same schemas as TypeScript interfaces, so the TypeScript compiler API
// gives every object's allowed keys: a misspelt key anywhere is reported.
// Custom resources (the Prometheus Operator's ServiceMonitor) come from the
// same family's package generated from their CRDs.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../..");

type Manifest = { apiVersion?: string; kind?: string; metadata?: { name?: string } } & Record<string, unknown>;

/**
 * Custom resources the chart renders, by API group: the package of the same family
 * holding the models generated from their CRDs' OpenAPI schemas.
 */
const CRD_PACKAGES: Record<string, string> = { "monitoring.coreos.com": "@kubernetes-models/prometheus-operator" };

/** "apps/v1" + "Deployment" -> "kubernetes-models/apps/v1/Deployment"; CRDs from their own package. */
const modulePath = (m: { apiVersion?: string; kind?: string }) => {
  const group = m.apiVersion?.includes("/") ? m.apiVersion.split("/")[0]! : "";
  return `${CRD_PACKAGES[group] ?? "kubernetes-models"}/${m.apiVersion}/${m.kind}`;
};

export const describeManifest = (m: Manifest) => `${m.kind}/${m.metadata?.name ?? "?"}`;

/** Type errors, enum and required-field errors from kubernetes-models' compiled schemas. */
export async function schemaErrors(m: Manifest): Promise<string[]> {
  if (!m.apiVersion || !m.kind) return ["manifest without apiVersion or kind"];
  let model: Record<string, new (data: unknown) => { validate(): void }>;
  try {
    model = await import(modulePath(m));
  } catch {
    return [`unknown kind ${m.apiVersion} ${m.kind}`];
  }
  const Model = model[m.kind];
  if (!Model) return [`kubernetes-models has no ${m.kind} in ${m.apiVersion}`];
  try {
    new Model(m).validate();
    return [];
  } catch (error) {
    return [String((error as Error).message)];
  }
}

/** Walks manifests against the kubernetes-models interfaces; one TypeScript program for all kinds. */
export class UnknownKeyChecker {
  private readonly checker: ts.TypeChecker;
  private readonly rootTypes = new Map<string, ts.Type>();
  keysWalked = 0;

  constructor(kinds: { apiVersion: string; kind: string }[]) {
    const unique = [...new Map(kinds.map((k) => [`${k.apiVersion}/${k.kind}`, k])).values()];
    const virtual = join(repoRoot, "test/edge/__k8s_kinds__.ts");
    const source = unique.map((k, i) => `import type { I${k.kind} as T${i} } from "${modulePath(k)}";\nexport type K${i} = T${i};`).join("\n");
    const options: ts.CompilerOptions = {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    };
    const host = ts.createCompilerHost(options);
    const { getSourceFile, fileExists, readFile } = host;
    host.getSourceFile = (name, lang, ...rest) =>
      name === virtual ? ts.createSourceFile(name, source, lang) : getSourceFile.call(host, name, lang, ...rest);
    host.fileExists = (name) => name === virtual || fileExists.call(host, name);
    host.readFile = (name) => (name === virtual ? source : readFile.call(host, name));
    const program = ts.createProgram([virtual], options, host);
    this.checker = program.getTypeChecker();
    const file = program.getSourceFile(virtual)!;
    const diagnostics = ts.getPreEmitDiagnostics(program, file);
    if (diagnostics.length) {
      throw new Error(
        ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => repoRoot, getNewLine: () => "\n" }),
      );
    }
    const exports = this.checker.getExportsOfModule(this.checker.getSymbolAtLocation(file)!);
    unique.forEach((k, i) => {
      const symbol = exports.find((e) => e.name === `K${i}`)!;
      this.rootTypes.set(`${k.apiVersion}/${k.kind}`, this.checker.getDeclaredTypeOfSymbol(symbol));
    });
  }

  /** Keys that are not fields of their Kubernetes type, as JSON paths. */
  unknownKeys(m: Manifest): string[] {
    const type = this.rootTypes.get(`${m.apiVersion}/${m.kind}`);
    if (!type) return [`no type for ${m.apiVersion}/${m.kind}`];
    const errors: string[] = [];
    this.walk(m, type, "", errors);
    return errors;
  }

  private walk(value: unknown, type: ts.Type, path: string, errors: string[]) {
    if (value === null || typeof value !== "object") return; // scalars: kubernetes-models checks them
    const t = this.checker.getNonNullableType(type);
    if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return; // free-form (e.g. raw JSON)
    if (Array.isArray(value)) {
      const element = this.elementType(t);
      if (element) value.forEach((v, i) => this.walk(v, element, `${path}[${i}]`, errors));
      return;
    }
    // Object-like members of a union (e.g. IntOrString has none; take the object ones).
    const candidates = t.isUnion() ? t.types.filter((u) => u.flags & ts.TypeFlags.Object) : [t];
    if (candidates.length === 0) return;
    const objectType = candidates[0]!;
    const index = this.checker.getIndexInfosOfType(objectType).find((i) => i.keyType.flags & ts.TypeFlags.String);
    for (const [key, child] of Object.entries(value)) {
      this.keysWalked++;
      const at = `${path}.${key}`;
      const prop = objectType.getProperty(key);
      if (prop) {
        this.walk(child, this.checker.getTypeOfSymbol(prop), at, errors);
      } else if (index) {
        this.walk(child, index.type, at, errors);
      } else {
        errors.push(`${at}: unknown field "${key}"`);
      }
    }
  }

  private elementType(t: ts.Type): ts.Type | undefined {
    if (this.checker.isArrayType(t) || this.checker.isTupleType(t)) return this.checker.getTypeArguments(t as ts.TypeReference)[0];
    if (t.isUnion())
      for (const u of t.types) {
        const e = this.elementType(u);
        if (e) return e;
      }
    return undefined;
  }
}
