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
  const result = await em.getKysely().executeQuery<Row>(CompiledQuery.raw(numbered(text), params));
  return result.rows;
}

/** `query` for a statement whose rows are not wanted: how many rows it changed. */
export async function run(em: EntityManager, text: string, params: unknown[] = []): Promise<number> {
  const result = await em.getKysely().executeQuery(CompiledQuery.raw(numbered(text), params));
  return Number(result.numAffectedRows ?? 0n);
}

/** `?` → `$1`, `$2`, …, leaving quoted literals, quoted names and comments as they are. */
export function numbered(text: string): string {
  let out = "";
  let n = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      const end = closing(text, i, c);
      out += text.slice(i, end);
      i = end;
    } else if (c === "-" && text[i + 1] === "-") {
      const end = text.indexOf("\n", i);
      const stop = end === -1 ? text.length : end;
      out += text.slice(i, stop);
      i = stop;
    } else if (c === "?") {
      out += `$${++n}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The index just past the quote that closes the one at `start` (a doubled quote is part of the text). */
function closing(text: string, start: number, quote: string): number {
  let i = start + 1;
  for (;;) {
    const next = text.indexOf(quote, i);
    if (next === -1) return text.length;
    if (text[next + 1] !== quote) return next + 1;
    i = next + 2;
  }
}
