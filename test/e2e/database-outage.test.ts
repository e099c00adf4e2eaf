import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { provideInfrastructure, type Infrastructure } from "../../tools/infra.js";
import { checkConvergence, type ConvergenceReport } from "../support/convergence.js";
import { grpc, type RequestOf, type ResponseOf, type UnaryMethod, type UnaryMethods } from "../support/grpc-clients.js";
import { TestSystem } from "../support/system.js";

const OUTAGE_MS = 20_000;
const CUSTOMERS = 3;

/**
 * Payment's and customercenter's databases live on a PostgreSQL of the test's
 * own, which is stopped (connections refused) for 20 s while customers keep
 * placing and cancelling reservations against musical and reservation, whose
 * databases stay up. So ReservationPlaced/ReservationCancelled events keep
 * arriving at consumers that cannot reach their database. None of them may be
 * dead-lettered, and afterwards every service agrees.
 */
describe("a service's database outage while events for it keep arriving", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it("dead-letters nothing, and every service agrees afterwards", { timeout: 150_000 }, async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "outerpark-outage-pg-"));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const startVictim = () => provideInfrastructure({ dataDir, preferExisting: false, natsUrl: inject("infra").natsUrl });
    let victim: Infrastructure = await startVictim();
    cleanups.push(() => victim.stop());
    const system = await TestSystem.start({
      postgresUrls: { payment: victim.postgresUrl, customercenter: victim.postgresUrl },
      // A gateway call cut off by the outage is settled when its lease runs out: as in the chaos test, not after a minute.
      env: { PAYMENT_LEASE_MS: "5000" },
    });
    cleanups.push(() => system.stop());

    const manager = await system.token("manager", "manager");
    const musical = system.client("musical");
    await musical.registerMusical({ musicalId: "outage", name: "Outage", totalSeats: 1000, seatPrice: "10000" }, manager);
    musical.close();

    const reservation = system.client("reservation");
    cleanups.push(async () => reservation.close());
    let running = true;
    let victimDown = false;
    const duringOutage = { placed: 0, cancelled: 0 };
    const total = { placed: 0, cancelled: 0 };

    /** Retries transient failures with the same request (and idempotency key), as the chaos test's customers do. */
    async function call<M extends UnaryMethod<"reservation">>(
      method: M,
      request: RequestOf<"reservation", M>,
      token: string,
    ): Promise<ResponseOf<"reservation", M> | "refused"> {
      for (let attempt = 0; ; attempt++) {
        try {
          const rpcs: UnaryMethods<"reservation"> = reservation; // indexed by a generic method name, unlike the client's intersection type
          return await rpcs[method](request, token, 5_000);
        } catch (error) {
          if ((error as { code: grpc.status }).code === grpc.status.FAILED_PRECONDITION) return "refused";
          if (attempt >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    }
    const customer = async (n: number) => {
      const token = await system.token(`outage-customer-${n}`);
      const mine: string[] = [];
      for (let op = 0; running; op++) {
        if (mine.length > 0 && Math.random() < 0.3) {
          const victimId = mine.splice(Math.floor(Math.random() * mine.length), 1)[0]!;
          if ((await call("cancelReservation", { reservationId: victimId }, token)) === "refused") continue;
          total.cancelled++;
          if (victimDown) duringOutage.cancelled++;
        } else {
          const seats = 1 + Math.floor(Math.random() * 2);
          const placed = await call("placeReservation", { musicalId: "outage", seats, idempotencyKey: `o${n}-${op}` }, token);
          if (placed === "refused") continue;
          mine.push(placed.reservation.reservationId);
          total.placed++;
          if (victimDown) duringOutage.placed++;
        }
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 150));
      }
    };
    const outage = async () => {
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await victim.stop();
      victimDown = true;
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      victimDown = false;
      victim = await startVictim();
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    };
    await Promise.all([outage().finally(() => (running = false)), ...Array.from({ length: CUSTOMERS }, (_, n) => customer(n))]);
    console.log(`database outage: ${OUTAGE_MS} ms; while down ${JSON.stringify(duringOutage)}, in all ${JSON.stringify(total)}`);
    // The outage must really have met events for the victims.
    expect(duringOutage.placed).toBeGreaterThan(20);

    // Converge, failing at once if anything was parked.
    const deadline = Date.now() + 45_000;
    let report: ConvergenceReport | undefined;
    let deadLetters = 0;
    const t0 = Date.now();
    for (;;) {
      deadLetters = await system.streamMessageCount("deadletter");
      if (deadLetters > 0) break;
      report = await checkConvergence(system).catch((error) => ({ problems: [String(error)], counts: {} }));
      if (report.problems.length === 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(deadLetters, "events dead-lettered during the outage").toBe(0);
    expect(report?.problems.slice(0, 20)).toEqual([]);
    console.log(`database outage: converged ${Date.now() - t0} ms after the workload, no dead letters — ${JSON.stringify(report!.counts)}`);
  });
});
