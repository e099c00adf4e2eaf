import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { Interceptor } from "@connectrpc/connect";
import { invalidArgument } from "./errors.js";

/**
 * Request validation, declared once per message and enforced by one interceptor.
 * (protovalidate annotations cannot be compiled here: its npm package ships no
 * validate.proto.) Field names in errors are the proto names, e.g. "musical_id".
 */
export type FieldRule =
  | { kind: "string"; required?: boolean; maxLength?: number; pattern?: RegExp; patternHint?: string }
  | { kind: "uuid"; required?: boolean }
  | { kind: "int"; min?: number; max?: number }
  | { kind: "bigint"; min?: bigint; max?: bigint };

export const rule = {
  /** A required UUID (any version), lower- or upper-case. */
  uuid: (): FieldRule => ({ kind: "uuid", required: true }),
  optionalUuid: (): FieldRule => ({ kind: "uuid", required: false }),
  text: (maxLength: number, options: { required?: boolean; pattern?: RegExp; patternHint?: string } = {}): FieldRule => ({
    kind: "string",
    required: options.required ?? true,
    maxLength,
    ...(options.pattern ? { pattern: options.pattern, patternHint: options.patternHint ?? options.pattern.source } : {}),
  }),
  int: (min: number, max: number): FieldRule => ({ kind: "int", min, max }),
  bigint: (min: bigint, max: bigint): FieldRule => ({ kind: "bigint", min, max }),
  /** Paging: 0 means the default. */
  pageSize: (): FieldRule => ({ kind: "int", min: 0, max: 100 }),
  pageToken: (): FieldRule => ({ kind: "string", required: false, maxLength: 512 }),
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface MessageRules {
  typeName: string;
  check(message: Record<string, unknown>): void;
}

type Rules<Desc extends DescMessage> = { [K in keyof MessageShape<Desc>]?: FieldRule };

export function defineRules<Desc extends DescMessage>(schema: Desc, rules: Rules<Desc>): MessageRules {
  const entries = Object.entries(rules as Record<string, FieldRule>).map(([localName, fieldRule]) => {
    const field = schema.fields.find((f) => f.localName === localName);
    if (!field) throw new Error(`${schema.typeName} has no field ${localName}`);
    return { protoName: field.name, localName, fieldRule };
  });
  return {
    typeName: schema.typeName,
    check(message) {
      for (const { protoName, localName, fieldRule } of entries) checkField(protoName, message[localName], fieldRule);
    },
  };
}

function checkField(name: string, value: unknown, fieldRule: FieldRule): void {
  switch (fieldRule.kind) {
    case "uuid": {
      const text = String(value ?? "");
      if (text === "") {
        if (fieldRule.required) throw invalidArgument(name, "is required");
        return;
      }
      if (!UUID.test(text)) throw invalidArgument(name, "must be a UUID");
      return;
    }
    case "string": {
      const text = String(value ?? "");
      if (text === "") {
        if (fieldRule.required) throw invalidArgument(name, "is required");
        return;
      }
      // Only an empty string means "not given"; blanks are a mistake, not an absence.
      if (text.trim() === "") throw invalidArgument(name, fieldRule.required ? "is required" : "must not be blank");
      if (fieldRule.maxLength !== undefined && [...text].length > fieldRule.maxLength) {
        throw invalidArgument(name, `must be at most ${fieldRule.maxLength} characters`);
      }
      if (fieldRule.pattern && !fieldRule.pattern.test(text)) throw invalidArgument(name, `must match ${fieldRule.patternHint}`);
      return;
    }
    case "int": {
      const number = Number(value ?? 0);
      if (fieldRule.min !== undefined && number < fieldRule.min) throw invalidArgument(name, `must be at least ${fieldRule.min}`);
      if (fieldRule.max !== undefined && number > fieldRule.max) throw invalidArgument(name, `must be at most ${fieldRule.max}`);
      return;
    }
    case "bigint": {
      const number = BigInt((value as bigint | undefined) ?? 0n);
      if (fieldRule.min !== undefined && number < fieldRule.min) throw invalidArgument(name, `must be at least ${fieldRule.min}`);
      if (fieldRule.max !== undefined && number > fieldRule.max) throw invalidArgument(name, `must be at most ${fieldRule.max}`);
      return;
    }
  }
}

/**
 * Rejects an invalid request before its handler uses it, so nothing changes.
 * A unary request is checked at once; a streamed one message by message as
 * the handler reads it (for a server stream, before the handler sees its one
 * request).
 */
export function validationInterceptor(ruleSets: readonly MessageRules[]): Interceptor {
  const byType = new Map(ruleSets.map((r) => [r.typeName, r]));
  return (next) => async (req) => {
    const rules = byType.get(req.method.input.typeName);
    if (!rules) return next(req);
    if (!req.stream) {
      rules.check(req.message as unknown as Record<string, unknown>);
      return next(req);
    }
    const messages = req.message;
    return next({
      ...req,
      message: (async function* () {
        for await (const message of messages) {
          rules.check(message as unknown as Record<string, unknown>);
          yield message;
        }
      })(),
    });
  };
}
