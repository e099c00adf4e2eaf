import { describe, expect, it } from "vitest";
import {
  amountFor,
  decideClaims,
  judgeRepeatedReserve,
  MUSICAL_ID_PATTERN,
  notEnoughSeatsMessage,
  sameRegistration,
  type MusicalRecord,
  type MusicalSpec,
  type SeatClaim,
  type SeatHoldRecord,
} from "./musical.js";

const spec: MusicalSpec = { name: "Phantom of the Opera", totalSeats: 500, seatPrice: 120_000n };

describe("sameRegistration", () => {
  it("is a no-op registration when every field matches", () => {
    expect(sameRegistration(spec, { ...spec })).toBe(true);
  });

  it.each<[string, MusicalSpec]>([
    ["name", { ...spec, name: "Phantom of the Opera " }],
    ["totalSeats", { ...spec, totalSeats: 501 }],
    ["seatPrice", { ...spec, seatPrice: 120_001n }],
  ])("is a different registration when %s differs", (_field, requested) => {
    expect(sameRegistration(spec, requested)).toBe(false);
  });
});

describe("amountFor", () => {
  it.each([
    [1, 120_000n, 120_000n],
    [3, 120_000n, 360_000n],
    [20, 100_000_000n, 2_000_000_000n],
    [2, 0n, 0n],
    [0, 120_000n, 0n],
  ])("%i seats at %s = %s", (seats, price, amount) => {
    expect(amountFor(seats, price)).toBe(amount);
  });

  it("stays exact beyond Number.MAX_SAFE_INTEGER", () => {
    expect(amountFor(3, 2n ** 60n)).toBe(3_458_764_513_820_540_928n);
  });
});

describe("judgeRepeatedReserve", () => {
  const held: SeatHoldRecord = { reservationId: "r-1", musicalId: "phantom", customerId: "alice", seats: 2, status: "HELD" };

  it("answers a retry with the same musical and seat count as the same call", () => {
    expect(judgeRepeatedReserve(held, "phantom", 2)).toEqual({ kind: "same" });
  });

  it.each<[string, SeatHoldRecord, string, number, string]>([
    ["a different seat count", held, "phantom", 3, "reservation r-1 already holds 2 seats of musical phantom"],
    ["a different musical", held, "cats", 2, "reservation r-1 already holds 2 seats of musical phantom"],
    ["a released hold", { ...held, status: "RELEASED" }, "phantom", 2, "reservation r-1 was already released"],
    [
      "a hold barred before any seats arrived",
      { ...held, musicalId: "", seats: 0, status: "RELEASED" },
      "phantom",
      2,
      "reservation r-1 was already released",
    ],
  ])("refuses %s", (_case, hold, musicalId, seats, reason) => {
    expect(judgeRepeatedReserve(hold, musicalId, seats)).toEqual({ kind: "conflict", reason });
  });
});

describe("notEnoughSeatsMessage", () => {
  it("says how many seats are left, of how many, for which musical, and how many were asked for", () => {
    const musical = { ...spec, musicalId: "phantom", reservableSeats: 1, registeredAt: new Date(0) };
    expect(notEnoughSeatsMessage(musical, 4)).toBe('only 1 of 500 seats left for "Phantom of the Opera", 4 requested');
  });
});

describe("MUSICAL_ID_PATTERN", () => {
  it.each(["a", "7", "phantom", "Phantom-2026", "les_miserables", "a-", "x".repeat(64), "A" + "_-9".repeat(21)])("accepts %j", (id) => {
    expect(MUSICAL_ID_PATTERN.test(id)).toBe(true);
  });

  it.each([
    ["empty", ""],
    ["leading dash", "-phantom"],
    ["leading underscore", "_phantom"],
    ["65 characters", "x".repeat(65)],
    ["a dot (NATS subject separator)", "phan.tom"],
    ["a NATS wildcard", "phantom*"],
    ["a NATS tail wildcard", "phantom>"],
    ["a space", "phan tom"],
    ["a slash", "phan/tom"],
    ["a percent sign", "phan%20tom"],
    ["non-ASCII letters", "오페라의유령"],
    ["a trailing newline", "phantom\n"],
    ["a NUL", "phantom\u0000"],
  ])("refuses %s", (_case, id) => {
    expect(MUSICAL_ID_PATTERN.test(id)).toBe(false);
  });
});

describe("decideClaims", () => {
  const show: MusicalRecord = { musicalId: "m", ...spec, totalSeats: 10, reservableSeats: 5, registeredAt: new Date(0) };
  const shows = new Map([["m", show]]);
  const claim = (reservationId: string, seats: number, musicalId = "m"): SeatClaim => ({
    reservationId,
    musicalId,
    seats,
    customerId: `c-${reservationId}`,
  });
  const kinds = (decisions: { kind: string }[]) => decisions.map((d) => d.kind);

  it("takes claims in arrival order while seats last, and a large claim that does not fit leaves them to smaller later ones", () => {
    const { decisions, newHolds, reservableSeats } = decideClaims(shows, new Map(), [claim("a", 2), claim("b", 4), claim("c", 3), claim("d", 1)]);
    expect(kinds(decisions)).toEqual(["held", "refused", "held", "refused"]);
    expect(newHolds.map((h) => [h.reservationId, h.seats])).toEqual([
      ["a", 2],
      ["c", 3],
    ]);
    expect(reservableSeats.get("m")).toBe(0);
    expect(decisions[1]).toEqual({ kind: "refused", reason: 'only 3 of 10 seats left for "Phantom of the Opera", 4 requested' });
  });

  it("answers a reservation that already holds seats with its hold and takes nothing more", () => {
    const held: SeatHoldRecord = { reservationId: "a", musicalId: "m", customerId: "c-a", seats: 2, status: "HELD" };
    const { decisions, newHolds, reservableSeats } = decideClaims(shows, new Map([["a", held]]), [claim("a", 2)]);
    expect(decisions).toEqual([{ kind: "held", hold: held }]);
    expect(newHolds).toEqual([]);
    expect(reservableSeats.get("m")).toBe(5);
  });

  it("answers a twin claim in the same batch as a retry of the first", () => {
    const { decisions, newHolds } = decideClaims(shows, new Map(), [claim("a", 2), claim("a", 2), claim("a", 3)]);
    expect(kinds(decisions)).toEqual(["held", "held", "refused"]);
    expect(newHolds).toHaveLength(1);
  });

  it("refuses a claim whose reservation was released or barred, even with seats left", () => {
    const barred: SeatHoldRecord = { reservationId: "a", musicalId: "", customerId: "", seats: 0, status: "RELEASED" };
    const { decisions, newHolds } = decideClaims(shows, new Map([["a", barred]]), [claim("a", 1)]);
    expect(decisions).toEqual([{ kind: "refused", reason: "reservation a was already released" }]);
    expect(newHolds).toEqual([]);
  });

  it("counts each show's seats on their own, in arrival order, and a reservation claims seats of one show only", () => {
    const other: MusicalRecord = { ...show, musicalId: "o", reservableSeats: 2 };
    const { decisions, newHolds, reservableSeats } = decideClaims(new Map([...shows, ["o", other]]), new Map(), [
      claim("a", 4),
      claim("b", 2, "o"),
      claim("c", 2),
      claim("d", 1, "o"),
      claim("e", 1),
      claim("a", 1, "o"),
    ]);
    expect(kinds(decisions)).toEqual(["held", "held", "refused", "refused", "held", "refused"]);
    expect(newHolds.map((h) => [h.reservationId, h.musicalId, h.seats])).toEqual([
      ["a", "m", 4],
      ["b", "o", 2],
      ["e", "m", 1],
    ]);
    expect(Object.fromEntries(reservableSeats)).toEqual({ m: 0, o: 0 });
    expect(decisions[5]).toEqual({ kind: "refused", reason: "reservation a already holds 4 seats of musical m" });
  });

  it("names an unknown musical for fresh claims, but still answers existing holds", () => {
    const barred: SeatHoldRecord = { reservationId: "a", musicalId: "", customerId: "", seats: 0, status: "RELEASED" };
    const { decisions } = decideClaims(new Map(), new Map([["a", barred]]), [claim("a", 1), claim("b", 1)]);
    expect(kinds(decisions)).toEqual(["refused", "unknown-musical"]);
  });
});
