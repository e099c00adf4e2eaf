import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestSystem, waitFor } from "../support/system.js";
import { grpc, openStream } from "../support/grpc-clients.js";
import { SERVICE_NAMES } from "#kit/config.js";

/**
 * SIGTERM: stop taking requests, finish in-flight ones, stop consumers, flush
 * the outbox, exit 0 within a bounded time.
 */
describe("graceful shutdown", () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start({ env: { SHUTDOWN_TIMEOUT_MS: "8000" } });
  });
  afterAll(async () => system?.stop());

  it("in-flight reservations finish or are refused cleanly, their events are published, and every service exits 0 quickly", async () => {
    const manager = await system.token("manager", "manager");
    const musical = system.client("musical");
    await musical.registerMusical({ musicalId: "chicago", name: "Chicago", totalSeats: 500, seatPrice: "10000" }, manager);
    musical.close();
    const hank = await system.token("hank");
    const watch = openStream(system.client("customercenter").raw, "watchMyPage", {}, hank);

    const reservation = system.client("reservation");
    // One reservation before the burst, so the MyPage stream is known to be live before anything stops.
    await reservation.placeReservation({ musicalId: "chicago", seats: 1, idempotencyKey: "h-first" }, hank);
    await waitFor(() => watch.messages.length > 0, 20_000, "the MyPage stream to show the first reservation");
    const calls = Array.from({ length: 40 }, (_, i) =>
      reservation.placeReservation({ musicalId: "chicago", seats: 1, idempotencyKey: `h-${i}` }, hank).then(
        (r) => ({ ok: true as const, id: r.reservation.reservationId as string }),
        (e) => ({ ok: false as const, code: e.code as grpc.status }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 30)); // let some calls get in flight
    const started = Date.now();
    const exitCode = await system.stopReplica("reservation", 0, "SIGTERM");
    const shutdownMs = Date.now() - started;
    const results = await Promise.all(calls);
    reservation.close();

    const placed = results.filter((r) => r.ok).length;
    const refused = results.filter((r) => !r.ok);
    console.log(
      `graceful shutdown: reservation exited ${exitCode} in ${shutdownMs} ms; ${placed} placed, ${refused.length} refused (${[...new Set(refused.map((r) => grpc.status[r.code]))].join(", ")})`,
    );
    expect(exitCode).toBe(0);
    expect(shutdownMs).toBeLessThan(10_000);
    // A call that did not finish was refused as retryable, never half-done or INTERNAL.
    for (const r of refused) expect([grpc.status.UNAVAILABLE, grpc.status.CANCELLED]).toContain(r.code);

    // Every reservation that committed had its event published before exit: the outbox is empty of pending rows.
    const [pending] = await system.sql<{ n: number }>("reservation", "select count(*)::int as n from outbox where published_at is null");
    expect(pending!.n).toBe(0);
    const [committed] = await system.sql<{ n: number }>("reservation", "select count(*)::int as n from reservations where status <> 'PLACING'");
    expect(committed!.n).toBe(placed + 1);
    await waitFor(
      async () => (await system.sql("payment", "select 1 from payments")).length === placed + 1,
      20_000,
      "payment saw every published reservation",
    );

    // The others stop cleanly too, a MyPage stream included.
    for (const service of SERVICE_NAMES.filter((s) => s !== "reservation")) {
      const t0 = Date.now();
      expect(await system.stopReplica(service, 0, "SIGTERM")).toBe(0);
      console.log(`graceful shutdown: ${service} exited 0 in ${Date.now() - t0} ms`);
    }
    // The MyPage stream, live until now, really ended when its service stopped.
    const ended = await Promise.race([watch.ended, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 2_000))]);
    expect(ended, "the MyPage stream did not end when customercenter shut down").toBeDefined();
    console.log(`graceful shutdown: MyPage stream ended with ${grpc.status[ended!.code]} (${ended!.details})`);
    // UNAVAILABLE, not OK: a client must reconnect, not conclude that MyPage has nothing more to say.
    expect(ended!.code).toBe(grpc.status.UNAVAILABLE);
  });
});
