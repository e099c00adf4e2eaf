import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestSystem } from "../support/system.js";
import { grpc } from "../support/grpc-clients.js";

/**
 * Seat claims are coalesced per musical process (one lock of the batch's show
 * rows, one UPDATE and one multi-row INSERT per batch, whatever shows it
 * spans). Two musical replicas batch independently against the same rows:
 * whatever the interleaving, no seat is sold twice, every hold is backed by
 * seats, a retried claim takes nothing more, and a claim that does not fit is
 * refused with FAILED_PRECONDITION.
 */
describe("coalesced seat claims over two musical replicas", () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start({ services: ["musical"], replicas: 2, gateway: false });
  });
  afterAll(async () => system?.stop());

  it("1,000 concurrent claims of 1–4 seats on 500 seats: never more than 500 taken, holds add up, refusals are FAILED_PRECONDITION", async () => {
    const replicas = [system.client("musical", 0), system.client("musical", 1)];
    const manager = await system.token("manager", "manager");
    const service = await system.token("reservation", "service");
    await replicas[0]!.registerMusical({ musicalId: "rush", name: "Rush", totalSeats: 500, seatPrice: "1000" }, manager);

    const claims = Array.from({ length: 1_000 }, (_, i) => ({ reservationId: randomUUID(), seats: 1 + (i % 4), customerId: `c-${i}` }));
    // Every tenth claim is also retried on the other replica at the same time, as a caller whose first answer was lost would.
    const calls = claims.flatMap((claim, i) => {
      const send = (replica: number) =>
        replicas[replica]!.reserveSeats({ ...claim, musicalId: "rush" }, service, 30_000).then(
          (answer) => ({ claim, ok: true as const, held: answer.hold.seats, amount: answer.amount }),
          (error: { code: grpc.status; details: string }) => ({ claim, ok: false as const, code: error.code, details: error.details }),
        );
      return i % 10 === 0 ? [send(i % 2), send((i + 1) % 2)] : [send(i % 2)];
    });
    const answers = await Promise.all(calls);

    const refusedCodes = new Set(answers.filter((a) => !a.ok).map((a) => (a.ok ? 0 : grpc.status[a.code])));
    expect([...refusedCodes]).toEqual(["FAILED_PRECONDITION"]);
    for (const answer of answers) {
      if (answer.ok) {
        expect(answer.held).toBe(answer.claim.seats);
        expect(answer.amount).toBe(String(answer.claim.seats * 1000));
      }
    }
    // A retried claim got the same answer on both replicas.
    const byId = new Map<string, boolean[]>();
    for (const answer of answers) byId.set(answer.claim.reservationId, [...(byId.get(answer.claim.reservationId) ?? []), answer.ok]);
    for (const [id, outcomes] of byId) expect(new Set(outcomes).size, `${id}: ${outcomes.join(", ")}`).toBe(1);

    const okIds = new Set(answers.filter((a) => a.ok).map((a) => a.claim.reservationId));
    const [musical] = await system.sql<{ reservable: number }>(
      "musical",
      "select reservable_seats as reservable from musicals where musical_id = 'rush'",
    );
    const holds = await system.sql<{ reservation_id: string; seats: number }>(
      "musical",
      "select reservation_id, seats from seat_holds where musical_id = 'rush' and status = 'HELD'",
    );
    const taken = holds.reduce((sum, h) => sum + h.seats, 0);
    console.log(`coalesced claims: ${okIds.size} held, ${1_000 - okIds.size} refused, ${taken} seats taken, ${musical!.reservable} left`);

    expect(musical!.reservable).toBeGreaterThanOrEqual(0);
    expect(taken).toBe(500 - musical!.reservable);
    expect(new Set(holds.map((h) => h.reservation_id))).toEqual(okIds);
    // 1,000 claims of 2.5 seats on average want 2,500 seats: the show sells out but for what no refused claim could fill.
    const smallestRefused = Math.min(...claims.filter((c) => !okIds.has(c.reservationId)).map((c) => c.seats));
    expect(musical!.reservable).toBeLessThan(smallestRefused);
    for (const client of replicas) client.close();
  });

  it("1,000 concurrent claims spread over 8 shows of 60 seats and one unknown show: each show on its own never oversold, unknown is NOT_FOUND", async () => {
    const replicas = [system.client("musical", 0), system.client("musical", 1)];
    const manager = await system.token("manager", "manager");
    const service = await system.token("reservation", "service");
    const shows = Array.from({ length: 8 }, (_, i) => `spread-${i}`);
    for (const musicalId of shows) await replicas[0]!.registerMusical({ musicalId, name: musicalId, totalSeats: 60, seatPrice: "1000" }, manager);

    const claims = Array.from({ length: 1_000 }, (_, i) => ({
      reservationId: randomUUID(),
      musicalId: i % 50 === 7 ? "no-such-show" : shows[(i * 7) % shows.length]!,
      seats: 1 + (i % 4),
      customerId: `c-${i}`,
    }));
    const calls = claims.flatMap((claim, i) => {
      const send = (replica: number) =>
        replicas[replica]!.reserveSeats(claim, service, 30_000).then(
          (answer) => ({ claim, ok: true as const, held: answer.hold.seats }),
          (error: { code: grpc.status }) => ({ claim, ok: false as const, code: grpc.status[error.code] }),
        );
      return i % 10 === 0 ? [send(i % 2), send((i + 1) % 2)] : [send(i % 2)];
    });
    const answers = await Promise.all(calls);

    for (const answer of answers) {
      if (answer.claim.musicalId === "no-such-show") expect(answer).toMatchObject({ ok: false, code: "NOT_FOUND" });
      else if (answer.ok) expect(answer.held).toBe(answer.claim.seats);
      else expect(answer.code).toBe("FAILED_PRECONDITION");
    }
    const byId = new Map<string, boolean[]>();
    for (const answer of answers) byId.set(answer.claim.reservationId, [...(byId.get(answer.claim.reservationId) ?? []), answer.ok]);
    for (const [id, outcomes] of byId) expect(new Set(outcomes).size, `${id}: ${outcomes.join(", ")}`).toBe(1);

    const okIds = new Set(answers.filter((a) => a.ok).map((a) => a.claim.reservationId));
    const seatsLeft = new Map(
      (
        await system.sql<{ musical_id: string; reservable: number }>("musical", "select musical_id, reservable_seats as reservable from musicals")
      ).map((row) => [row.musical_id, row.reservable]),
    );
    const holds = await system.sql<{ reservation_id: string; musical_id: string; seats: number }>(
      "musical",
      "select reservation_id, musical_id, seats from seat_holds where status = 'HELD' and musical_id like 'spread-%'",
    );
    expect(new Set(holds.map((h) => h.reservation_id))).toEqual(okIds);
    for (const musicalId of shows) {
      const left = seatsLeft.get(musicalId)!;
      const taken = holds.filter((h) => h.musical_id === musicalId).reduce((sum, h) => sum + h.seats, 0);
      expect(left, musicalId).toBeGreaterThanOrEqual(0);
      expect(taken, musicalId).toBe(60 - left);
      // About 120 claims of 2.5 seats on average want 300 seats of 60: each show sells out but for what no refused claim could fill.
      const smallestRefused = Math.min(...claims.filter((c) => c.musicalId === musicalId && !okIds.has(c.reservationId)).map((c) => c.seats));
      expect(left, musicalId).toBeLessThan(smallestRefused);
    }
    for (const client of replicas) client.close();
  });
});
