import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestSystem, waitFor } from "../support/system.js";
import { openStream } from "../support/grpc-clients.js";

/**
 * Two replicas of every service share the work (relays, consumers, payment
 * processing). A MyPage stream on either customercenter replica still sees
 * every change, including those folded by the other replica: the periodic
 * re-check is switched off here, so only the replicas' change signal can
 * deliver them.
 */
describe("several replicas at once", () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start({ replicas: 2, env: { MYPAGE_RECHECK_MS: "600000" } });
  }, 180_000);
  afterAll(async () => system?.stop());

  it("MyPage streams on both replicas converge to what the owning services hold", async () => {
    const manager = await system.token("manager", "manager");
    const ivy = await system.token("ivy");
    const musical = system.client("musical", 1);
    await musical.registerMusical({ musicalId: "evita", name: "Evita", totalSeats: 50, seatPrice: "25000" }, manager);
    musical.close();

    const streams = [0, 1].map((i) => openStream(system.client("customercenter", i).raw, "watchMyPage", {}, ivy));
    await new Promise((resolve) => setTimeout(resolve, 300)); // both streams subscribed before the first change
    const reservations = [system.client("reservation", 0), system.client("reservation", 1)];
    const placed: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await reservations[i % 2]!.placeReservation({ musicalId: "evita", seats: 1 + (i % 3), idempotencyKey: `ivy-${i}` }, ivy);
      placed.push(r.reservation.reservationId);
    }
    for (const id of placed.slice(0, 2)) await reservations[1]!.cancelReservation({ reservationId: id }, ivy);

    const expected = new Map<string, string>();
    await waitFor(
      async () => {
        const rows = await system.sql<{ reservation_id: string; status: string; payment_state: string }>(
          "reservation",
          "select reservation_id, status, payment_state from reservations",
        );
        const settled = rows.every(
          (r) => (r.status === "PAID" && r.payment_state === "APPROVED") || (r.status === "CANCELLED" && r.payment_state === "CANCELLED"),
        );
        for (const r of rows) expected.set(r.reservation_id, `RESERVATION_STATUS_${r.status}/PAYMENT_STATE_${r.payment_state}`);
        return rows.length === 6 && settled;
      },
      30_000,
      "the saga to settle",
    );
    // MyPage is built by both customercenter replicas (they share the consumers); each stream must end in the final state.
    for (const [i, stream] of streams.entries()) {
      await waitFor(
        () => {
          const latest = new Map<string, string>();
          for (const m of stream.messages)
            latest.set(m.reservation.reservationId, `${m.reservation.reservationStatus}/${m.reservation.paymentState}`);
          return [...expected].every(([id, state]) => latest.get(id) === state);
        },
        20_000,
        `the stream on customercenter#${i} to show every final state`,
      );
      expect(stream.error).toBeUndefined();
      stream.cancel();
    }
    console.log(
      `replicas: 6 reservations over 2 replicas each; both MyPage streams converged (${streams.map((s) => s.messages.length).join(" and ")} updates)`,
    );
    for (const c of reservations) c.close();
  });
});
