import { CompiledQuery } from "kysely";
import type { EntityManager } from "@mikro-orm/postgresql";

/**
 * Plain SQL with PostgreSQL's own parameters. `em.execute` inlines every
 * parameter into the statement's text, escaping each literal in JavaScript:
 * for the outbox's payloads, the inbox's id arrays and MyPage's facts that was
 * 6–16 % of a service's busy time (`escapeLiteral`, `formatQuery` in the
 * profiles). Here the text keeps MikroORM's `?` placeholders (numbered on the
 * way out) and the values travel beside it, as the driver sends them: a JS
 * array becomes a PostgreSQL array (so `= any(?)`, not `in (?)`), a Buffer
 * bytea, a Date a timestamp with its offset. Inside `em`'s transaction when it
 * has one, like `em.execute`.
 */
export async function query<Row = Record<string, unknown>>(em: EntityManager, text: string, params: unknown[] = []): Promise<Row[]> {
  return (await send<Row>(em, text, params)).rows;
}

/** `query` for a statement whose rows are not wanted: how many rows it changed. */
export async function run(em: EntityManager, text: string, params: unknown[] = []): Promise<number> {
  return Number((await send(em, text, params)).numAffectedRows ?? 0n);
}

function send<Row>(em: EntityManager, text: string, params: unknown[]) {
  return em.getKysely().executeQuery<Row>(CompiledQuery.raw(numbered(text), params));
}

/** What `numbered` looks at: quoted literals, quoted names and comments (kept as they are) and placeholders. */
const PLACEHOLDER_OR_QUOTED = /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\?/g;

/**
 * Statements numbered so far: a hot path numbers the same few texts over and over (a 64-row outbox insert took 48 µs
 * to number, 9 µs to find here). The texts are a few templates, some with one shape per batch size, so a small map
 * holds them; at most 256 of up to 8 KiB (a few MiB at worst), and when it fills up it starts again.
 */
const NUMBERED = new Map<string, string>();
const NUMBERED_MAX = 256;
const NUMBERED_MAX_CHARS = 8_192;

/** `?` → `$1`, `$2`, …, leaving quoted literals, quoted names and comments as they are. */
export function numbered(text: string): string {
  let found = NUMBERED.get(text);
  if (found === undefined) {
    let n = 0;
    found = text.replace(PLACEHOLDER_OR_QUOTED, (match) => (match === "?" ? `$${++n}` : match));
    if (text.length <= NUMBERED_MAX_CHARS) {
      if (NUMBERED.size >= NUMBERED_MAX) NUMBERED.clear();
      NUMBERED.set(text, found);
    }
  }
  return found;
}
