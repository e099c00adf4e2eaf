// Strict validation of Envoy YAML/JSON against Envoy's own v3 API protos.
//
// protobufjs loads the protos that ship in @grpc/grpc-js-xds, but its
// fromObject() ignores unknown keys, so this walks the document against the
// message types itself, following the proto3 JSON mapping Envoy uses for YAML:
//   - every key is a field of its message (snake_case or lowerCamel JSON name)
//   - every scalar has the field's type and range; enums name a defined value
//   - repeated fields are lists, maps are objects with keys of the map's key type
//   - google.protobuf.Any: "@type" must resolve, its body is walked recursively
//   - Duration, Timestamp, FieldMask, Struct/Value/ListValue, wrappers and Empty
//     take their special JSON forms
//   - at most one member per oneof; deprecated fields are refused
//   - a subset of the protoc-gen-validate rules Envoy enforces at load time:
//     message.required, (validate.required) oneofs, string min/max length,
//     repeated min_items, numeric and duration bounds
//
// The shipped protos predate Envoy 1.33, so two things of the API the edge runs
// (Envoy 1.37) are added: the DNS cluster extension's protos (envoy-api-newer/,
// see its README.md) and the deprecations 1.33 made in Cluster (NEWER_DEPRECATIONS).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../..");
const deps = join(repoRoot, "node_modules/@grpc/grpc-js-xds/deps");
const newerApiDir = join(repoRoot, "test/edge/envoy-api-newer");
const includeDirs = [
  newerApiDir,
  join(deps, "envoy-api"),
  join(deps, "xds"),
  join(deps, "protoc-gen-validate"),
  join(deps, "googleapis"),
  join(repoRoot, "node_modules/protobufjs"), // google/protobuf/descriptor.proto
];

const findProto = (name: string) => includeDirs.map((d) => join(d, name)).find((p) => existsSync(p));
const isBuiltIn = (name: string) => name.startsWith("google/protobuf/") && protobuf.common.get(name) != null;

/** True when a proto file and everything it imports can be found. */
function importClosureComplete(name: string, memo: Map<string, boolean>, visiting = new Set<string>()): boolean {
  const known = memo.get(name);
  if (known !== undefined) return known;
  if (visiting.has(name) || isBuiltIn(name)) return true;
  visiting.add(name);
  const path = findProto(name);
  const ok =
    path !== undefined &&
    [...readFileSync(path, "utf8").matchAll(/^import\s+(?:public\s+|weak\s+)?"([^"]+)";/gm)].every((m) =>
      importClosureComplete(m[1]!, memo, visiting),
    );
  memo.set(name, ok);
  return ok;
}

function protoFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return protoFilesUnder(path);
    return path.endsWith(".proto") ? [path] : [];
  });
}

/**
 * Fields Envoy deprecated after the shipped protos were cut (marked `deprecated = true` in
 * envoy/config/cluster/v3/cluster.proto since 1.33): DNS settings now live in the DnsCluster
 * extension. Marked here so the walk below refuses them like any other deprecated field
 * (dns_jitter, deprecated too, is newer than the shipped protos: unknown there, so refused anyway).
 */
export const NEWER_DEPRECATIONS: Record<string, string[]> = {
  "envoy.config.cluster.v3.Cluster": ["dns_refresh_rate", "dns_failure_refresh_rate", "respect_dns_ttl"],
};

let cached: { root: protobuf.Root; files: number } | undefined;

/**
 * Every Envoy v3 proto whose imports all ship in the package (345 of 350 at
 * 1.14.1; the rest need OpenCensus/OpenTelemetry protos that are not shipped),
 * and the newer ones in envoy-api-newer/.
 */
export function loadEnvoyApi(): { root: protobuf.Root; files: number } {
  if (cached) return cached;
  const apiDir = join(deps, "envoy-api");
  const memo = new Map<string, boolean>();
  const files = protoFilesUnder(join(apiDir, "envoy"))
    .map((p) => relative(apiDir, p))
    .filter((f) => /\/v3(alpha)?\//.test(f)) // v2 protos import files that are not shipped
    .filter((f) => importClosureComplete(f, memo));
  const newer = protoFilesUnder(newerApiDir).map((p) => relative(newerApiDir, p));
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => findProto(target) ?? target;
  root.loadSync([...files, ...newer], { keepCase: true });
  root.resolveAll();
  for (const [typeName, fields] of Object.entries(NEWER_DEPRECATIONS)) {
    const type = root.lookupType(typeName);
    for (const name of fields) {
      const field = type.fields[name];
      if (!field) throw new Error(`${typeName} has no field ${name}: NEWER_DEPRECATIONS is out of date`);
      field.options = { ...field.options, deprecated: true };
    }
  }
  cached = { root, files: files.length + newer.length };
  return cached;
}

export interface ValidationResult {
  errors: string[];
  /** Object keys checked against a message field. */
  keysWalked: number;
  /** Distinct message types met. */
  typesSeen: Set<string>;
  /** Every "@type" resolved. */
  anyTypes: Set<string>;
}

const WRAPPERS: Record<string, string> = {
  "google.protobuf.DoubleValue": "double",
  "google.protobuf.FloatValue": "float",
  "google.protobuf.Int64Value": "int64",
  "google.protobuf.UInt64Value": "uint64",
  "google.protobuf.Int32Value": "int32",
  "google.protobuf.UInt32Value": "uint32",
  "google.protobuf.BoolValue": "bool",
  "google.protobuf.StringValue": "string",
  "google.protobuf.BytesValue": "bytes",
};

const INT_RANGES: Record<string, [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  sint32: [-(2 ** 31), 2 ** 31 - 1],
  sfixed32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  fixed32: [0, 2 ** 32 - 1],
};
const INT64 = new Set(["int64", "sint64", "sfixed64", "uint64", "fixed64"]);

const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

const lowerCamel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const describe = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "list" : typeof v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Seconds of a proto3 JSON Duration string, or undefined if malformed. */
export function durationSeconds(value: string): number | undefined {
  const m = DURATION.exec(value);
  if (!m) return undefined;
  const secs = Number(m[2]) + Number(`0.${m[3] ?? "0"}`);
  return m[1] ? -secs : secs;
}

class Walker {
  readonly result: ValidationResult = { errors: [], keysWalked: 0, typesSeen: new Set(), anyTypes: new Set() };
  private readonly root: protobuf.Root;

  constructor(root: protobuf.Root) {
    this.root = root;
  }

  private fail(path: string, message: string) {
    this.result.errors.push(`${path || "<root>"}: ${message}`);
  }

  message(type: protobuf.Type, value: unknown, path: string): void {
    const name = type.fullName.slice(1);
    this.result.typesSeen.add(name);
    if (this.wellKnown(name, value, path)) return;
    if (!isObject(value)) return this.fail(path, `expected an object for ${name}, got ${describe(value)}`);

    const byName = new Map<string, protobuf.Field>();
    for (const field of type.fieldsArray) {
      byName.set(field.name, field);
      byName.set(lowerCamel(field.name), field);
      const jsonName = field.options?.["json_name"];
      if (typeof jsonName === "string") byName.set(jsonName, field);
    }
    const present = new Set<protobuf.Field>();
    for (const [key, child] of Object.entries(value)) {
      this.result.keysWalked++;
      const field = byName.get(key);
      const at = path ? `${path}.${key}` : key;
      if (!field) {
        this.fail(at, `unknown field "${key}" of ${name}`);
        continue;
      }
      if (present.has(field)) this.fail(at, `field ${field.name} given twice (snake_case and lowerCamel)`);
      present.add(field);
      if (field.options?.["deprecated"] === true) this.fail(at, `field ${field.name} of ${name} is deprecated`);
      this.field(field, child, at);
    }
    this.checkMessageRules(type, present, path);
  }

  private checkMessageRules(type: protobuf.Type, present: Set<protobuf.Field>, path: string) {
    for (const field of type.fieldsArray) {
      const opts = field.options ?? {};
      const required =
        opts["(validate.rules).message.required"] === true ||
        opts["(validate.rules).duration.required"] === true ||
        opts["(validate.rules).any.required"] === true ||
        opts["(validate.rules).timestamp.required"] === true;
      // On a oneof member "required" only means "non-empty when chosen".
      if (required && !field.partOf && !present.has(field)) this.fail(path, `required field ${field.name} of ${type.fullName.slice(1)} is missing`);
    }
    for (const oneof of type.oneofsArray) {
      const set = oneof.fieldsArray.filter((f) => present.has(f));
      if (set.length > 1) this.fail(path, `oneof ${oneof.name} has ${set.map((f) => f.name).join(" and ")}`);
      if (set.length === 0 && oneof.options?.["(validate.required)"] === true)
        this.fail(path, `oneof ${oneof.name} of ${type.fullName.slice(1)} requires one of ${oneof.fieldsArray.map((f) => f.name).join(", ")}`);
    }
  }

  private field(field: protobuf.Field, value: unknown, path: string) {
    if (field.map) {
      if (!isObject(value)) return this.fail(path, `expected a map (object), got ${describe(value)}`);
      const keyType = (field as unknown as protobuf.MapField).keyType;
      for (const [k, v] of Object.entries(value)) {
        if (keyType !== "string" && keyType !== "bool" && !/^-?\d+$/.test(k)) this.fail(`${path}.${k}`, `map key must be ${keyType}`);
        if (keyType === "string" && k.length === 0) this.fail(path, "empty map key");
        this.single(field, v, `${path}.${k}`);
      }
      return;
    }
    if (field.repeated) {
      if (!Array.isArray(value)) return this.fail(path, `expected a list for repeated ${field.name}, got ${describe(value)}`);
      const min = field.options?.["(validate.rules).repeated.min_items"];
      if (typeof min === "number" && value.length < min) this.fail(path, `needs at least ${min} items`);
      value.forEach((v, i) => this.single(field, v, `${path}[${i}]`));
      return;
    }
    this.single(field, value, path);
  }

  private single(field: protobuf.Field, value: unknown, path: string) {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) {
      this.message(resolved, value, path);
      this.checkDurationBounds(field, value, path);
      this.checkNumericBounds(field, WRAPPERS[resolved.fullName.slice(1)], value, path);
    } else if (resolved instanceof protobuf.Enum) {
      this.enumValue(resolved, value, path);
    } else {
      this.scalar(field.type, value, path);
      this.checkNumericBounds(field, field.type, value, path);
      this.checkStringLength(field, value, path);
    }
  }

  private enumValue(type: protobuf.Enum, value: unknown, path: string) {
    const names = Object.keys(type.values);
    if (typeof value === "string") {
      if (!(value in type.values)) this.fail(path, `"${value}" is not a value of enum ${type.fullName.slice(1)} (${names.join(", ")})`);
      else if (type.valuesOptions?.[value]?.["deprecated"] === true) this.fail(path, `enum value ${value} is deprecated`);
    } else if (typeof value === "number") {
      if (!Object.values(type.values).includes(value)) this.fail(path, `${value} is not a number of enum ${type.fullName.slice(1)}`);
    } else {
      this.fail(path, `expected an enum name of ${type.fullName.slice(1)}, got ${describe(value)}`);
    }
  }

  private scalar(type: string, value: unknown, path: string) {
    const bad = (want: string) => this.fail(path, `expected ${want}, got ${describe(value)} ${JSON.stringify(value)}`);
    switch (type) {
      case "string":
        if (typeof value !== "string") bad("a string");
        return;
      case "bool":
        if (typeof value !== "boolean") bad("true or false");
        return;
      case "bytes":
        if (typeof value !== "string" || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) bad("base64 bytes");
        return;
      case "double":
      case "float":
        if (typeof value === "number") return;
        if (typeof value === "string" && (/^(NaN|-?Infinity)$/.test(value) || (value.trim() !== "" && Number.isFinite(Number(value))))) return;
        bad("a number");
        return;
    }
    const range = INT_RANGES[type];
    if (range || INT64.has(type)) {
      const n = typeof value === "number" ? value : typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : NaN;
      if (!Number.isInteger(n)) return bad(`an integer (${type})`);
      if (range && (n < range[0] || n > range[1])) return bad(`${type} in [${range[0]}, ${range[1]}]`);
      if (type.startsWith("u") || type === "fixed64") {
        if (n < 0) bad(`a non-negative ${type}`);
      }
      return;
    }
    this.fail(path, `unsupported scalar type ${type}`);
  }

  /** JSON forms of well-known types. Returns true when `name` is one. */
  private wellKnown(name: string, value: unknown, path: string): boolean {
    const wrapped = WRAPPERS[name];
    if (wrapped) {
      this.scalar(wrapped, value, path);
      return true;
    }
    switch (name) {
      case "google.protobuf.Any":
        this.any(value, path);
        return true;
      case "google.protobuf.Duration":
        if (typeof value !== "string" || durationSeconds(value) === undefined)
          this.fail(path, `expected a duration like "1.5s", got ${describe(value)} ${JSON.stringify(value)}`);
        return true;
      case "google.protobuf.Timestamp":
        if (typeof value !== "string" || !TIMESTAMP.test(value)) this.fail(path, "expected an RFC 3339 timestamp");
        return true;
      case "google.protobuf.FieldMask":
        if (typeof value !== "string") this.fail(path, "expected a field mask string");
        return true;
      case "google.protobuf.Struct":
        if (!isObject(value)) this.fail(path, `expected an object (Struct), got ${describe(value)}`);
        return true;
      case "google.protobuf.ListValue":
        if (!Array.isArray(value)) this.fail(path, `expected a list (ListValue), got ${describe(value)}`);
        return true;
      case "google.protobuf.Value":
        if (value === undefined) this.fail(path, "expected a value");
        return true;
      case "google.protobuf.Empty":
        if (!isObject(value) || Object.keys(value).length > 0) this.fail(path, "expected {} (Empty)");
        return true;
    }
    return false;
  }

  private any(value: unknown, path: string) {
    if (!isObject(value)) return this.fail(path, `expected an Any object with "@type", got ${describe(value)}`);
    const typeUrl = value["@type"];
    if (typeof typeUrl !== "string") return this.fail(path, 'Any needs a string "@type"');
    const typeName = typeUrl.slice(typeUrl.lastIndexOf("/") + 1);
    let type: protobuf.Type;
    try {
      type = this.root.lookupType(typeName);
    } catch {
      return this.fail(`${path}.@type`, `unknown type "${typeUrl}"`);
    }
    this.result.anyTypes.add(typeName);
    const body = Object.fromEntries(Object.entries(value).filter(([k]) => k !== "@type"));
    const special = this.isSpecialJson(typeName);
    if (special) {
      const keys = Object.keys(body);
      if (keys.length !== 1 || keys[0] !== "value") return this.fail(path, `Any of ${typeName} takes its body in "value"`);
      this.message(type, body["value"], `${path}.value`);
    } else {
      this.message(type, body, path);
    }
  }

  private isSpecialJson(name: string) {
    return (
      name in WRAPPERS || ["Any", "Duration", "Timestamp", "FieldMask", "Struct", "Value", "ListValue"].some((n) => name === `google.protobuf.${n}`)
    );
  }

  private checkStringLength(field: protobuf.Field, value: unknown, path: string) {
    if (typeof value !== "string") return;
    const min = field.options?.["(validate.rules).string.min_len"];
    const max = field.options?.["(validate.rules).string.max_len"];
    if (typeof min === "number" && value.length < min) this.fail(path, `string shorter than ${min}`);
    if (typeof max === "number" && value.length > max) this.fail(path, `string longer than ${max}`);
  }

  private checkNumericBounds(field: protobuf.Field, scalarType: string | undefined, value: unknown, path: string) {
    if (!scalarType) return;
    const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
    if (!Number.isFinite(n)) return;
    for (const op of ["gt", "gte", "lt", "lte"] as const) {
      const bound = field.options?.[`(validate.rules).${scalarType}.${op}`];
      if (typeof bound !== "number") continue;
      const ok = op === "gt" ? n > bound : op === "gte" ? n >= bound : op === "lt" ? n < bound : n <= bound;
      if (!ok) this.fail(path, `${n} violates ${op} ${bound}`);
    }
  }

  private checkDurationBounds(field: protobuf.Field, value: unknown, path: string) {
    if (field.resolvedType?.fullName !== ".google.protobuf.Duration" || typeof value !== "string") return;
    const secs = durationSeconds(value);
    if (secs === undefined) return;
    const opts = field.options ?? {};
    for (const op of ["gt", "gte", "lt", "lte"] as const) {
      const prefix = `(validate.rules).duration.${op}`;
      const keys = Object.keys(opts).filter((k) => k === prefix || k.startsWith(`${prefix}.`));
      if (keys.length === 0) continue;
      const bound = Number(opts[`${prefix}.seconds`] ?? 0) + Number(opts[`${prefix}.nanos`] ?? 0) / 1e9;
      const ok = op === "gt" ? secs > bound : op === "gte" ? secs >= bound : op === "lt" ? secs < bound : secs <= bound;
      if (!ok) this.fail(path, `${value} violates duration ${op} ${bound}s`);
    }
  }
}

/** Walks `value` as message `typeName` (e.g. "envoy.config.bootstrap.v3.Bootstrap"). */
export function validateEnvoy(value: unknown, typeName = "envoy.config.bootstrap.v3.Bootstrap"): ValidationResult {
  const { root } = loadEnvoyApi();
  const walker = new Walker(root);
  walker.message(root.lookupType(typeName), value, "");
  return walker.result;
}
