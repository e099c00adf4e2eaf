import { describe, expect, it } from "vitest";
import { useKitInfra } from "../../test/support/kit-infra.js";
import { numbered, query, run } from "./sql.js";

describe("numbered", () => {
  it("numbers the placeholders in order and leaves quoted text and comments alone", () => {
    expect(numbered("select ? as a, ?::text[] as b where c = any(?)")).toBe("select $1 as a, $2::text[] as b where c = any($3)");
    expect(numbered(`select '?', 'it''s ?', "odd?name", ? -- why? \n, ?`)).toBe(`select '?', 'it''s ?', "odd?name", $1 -- why? \n, $2`);
    expect(numbered("select 1")).toBe("select 1");
    // Asked again (as hot paths do), the same answer.
    expect(numbered("select ? as a, ?::text[] as b where c = any(?)")).toBe("select $1 as a, $2::text[] as b where c = any($3)");
  });
});

/** Values travel as PostgreSQL parameters, not spliced into the text: each type arrives as itself, in and out of a transaction. */
describe("query and run, against PostgreSQL", () => {
  const kit = useKitInfra("sql");

  it("sends strings, numbers, bigints, booleans, nulls, dates, buffers and arrays (of text, bigints, dates) as parameters", async () => {
    const em = kit.db.em.fork();
    const hostile = `'); drop table outbox; --`;
    const at = new Date("2026-12-03T12:34:56.789Z");
    const [row] = await query<Record<string, unknown>>(
      em,
      `select ?::text as text, ?::int as int, ?::bigint::text as big, ?::boolean as yes, ?::text as nothing, ?::timestamptz as at,
              encode(?::bytea, 'hex') as bytes, array_length(?::text[], 1) as items, ? = any(?::text[]) as found, '?' as literal,
              (select sum(x) from unnest(?::bigint[]) x)::text as big_sum, (?::timestamptz[])[1] = ?::timestamptz as same_instant`,
      [
        ...[hostile, 42, 9_007_199_254_740_993n, true, null, at, Buffer.from([0, 1, 254]), ["a", 'b"c', "d,e"], 'b"c', ["x", 'b"c']],
        ...[[9_007_199_254_740_993n, 7], [at], at],
      ],
    );
    // MikroORM's pool reads timestamps as text (the stores parse them); the instant is what matters.
    expect(new Date(String(row!.at)).toISOString()).toBe(at.toISOString());
    expect({ ...row, at }).toEqual({
      text: hostile,
      int: 42,
      big: "9007199254740993",
      yes: true,
      nothing: null,
      at,
      bytes: "0001fe",
      items: 3,
      found: true,
      literal: "?",
      big_sum: "9007199254741000",
      same_instant: true,
    });
    // The kit's tables are still there.
    expect(await query(em, "select count(*)::int as n from outbox")).toEqual([{ n: 0 }]);
  });

  it("runs inside the entity manager's transaction, and run counts the rows changed", async () => {
    const em = kit.db.em.fork();
    await run(em, "create table sql_test (id text primary key)");
    await expect(
      em.transactional(async (tx) => {
        expect(await run(tx, "insert into sql_test values (?), (?)", ["a", "b"])).toBe(2);
        expect(await query(tx, "select id from sql_test order by id")).toEqual([{ id: "a" }, { id: "b" }]);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await query(em, "select id from sql_test")).toEqual([]);
    expect(await run(em, "update sql_test set id = ? where id = ?", ["x", "nobody"])).toBe(0);
  });
});
