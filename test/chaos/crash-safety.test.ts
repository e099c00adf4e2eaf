import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICE_NAMES } from "#kit/config.js";
import { RestartableNats } from "../support/nats.js";
import { checkConvergence, type ConvergenceReport } from "../support/convergence.js";
import { TestSystem, waitFor } from "../support/system.js";
import { grpc, type RequestOf, type ResponseOf, type UnaryMethod, type UnaryMethods } from "../support/grpc-clients.js";

/**
 * Crash safety: two replicas of every service; while customers reserve and
 * cancel over several musicals, every replica is killed with SIGKILL in turn
 * and NATS is restarted once. Afterwards the system must converge to a state
 * where every owning service and MyPage agree, with nothing lost or doubled.
 */
const MUSICALS = [
  { musicalId: "chaos-a", name: "Chaos A", totalSeats: 40, seatPrice: "10000" },
  { musicalId: "chaos-b", name: "Chaos B", totalSeats: 25, seatPrice: "20000" },
  { musicalId: "chaos-c", name: "Chaos C", totalSeats: 60, seatPrice: "15000" },
];
const CUSTOMERS = 6;
// Customers keep working until the chaos is over (bounded, in case it never is).
const OPERATIONS_PER_CUSTOMER = 400;

describe("crash safety under kill -9 and a NATS restart", () => {
  let nats: RestartableNats;
  let system: TestSystem;

  beforeAll(async () => {
    nats = await RestartableNats.start();
    system = await TestSystem.start({
      replicas: 2,
      natsUrl: nats.url,
      env: {
        // Faster recovery than production defaults, so the test converges in a minute or two.
        CONSUMER_ACK_WAIT_MS: "4000",
        PAYMENT_LEASE_MS: "5000",
        MUSICAL_TIMEOUT_MS: "3000",
        SHUTDOWN_TIMEOUT_MS: "5000",
      },
    });
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await nats?.stop();
  });

  it("every reservation reaches a final state and every service agrees", { timeout: 600_000 }, async () => {
    const manager = await system.token("manager", "manager");
    const musical = system.client("musical");
    for (const m of MUSICALS) await musical.registerMusical(m, manager);
    musical.close();

    const reservationClients = [system.client("reservation", 0), system.client("reservation", 1)];
    let running = true;
    const outcomes = { placed: 0, refused: 0, cancelled: 0, retries: 0 };

    /** Calls a reservation replica, moving to the other on transient failures, with the same idempotency key. */
    async function call<M extends UnaryMethod<"reservation">>(
      method: M,
      request: RequestOf<"reservation", M>,
      token: string,
    ): Promise<ResponseOf<"reservation", M> | "refused"> {
      for (let attempt = 0; attempt < 60; attempt++) {
        try {
          const rpcs: UnaryMethods<"reservation"> = reservationClients[attempt % 2]!; // indexed by a generic method name, unlike the client's intersection type
          return await rpcs[method](request, token, 8_000);
        } catch (error) {
          const code = (error as { code: grpc.status }).code;
          if (code === grpc.status.FAILED_PRECONDITION) return "refused";
          outcomes.retries++;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
      throw new Error(`${method} never succeeded`);
    }

    const customer = async (n: number) => {
      const token = await system.token(`chaos-customer-${n}`);
      const mine: string[] = [];
      for (let op = 0; op < OPERATIONS_PER_CUSTOMER && running; op++) {
        if (mine.length > 0 && Math.random() < 0.3) {
          const victim = mine.splice(Math.floor(Math.random() * mine.length), 1)[0]!;
          const result = await call("cancelReservation", { reservationId: victim }, token);
          if (result !== "refused") outcomes.cancelled++;
        } else {
          const m = MUSICALS[Math.floor(Math.random() * MUSICALS.length)]!;
          const result = await call(
            "placeReservation",
            { musicalId: m.musicalId, seats: 1 + Math.floor(Math.random() * 3), idempotencyKey: `c${n}-op${op}` },
            token,
          );
          if (result === "refused") outcomes.refused++;
          else {
            outcomes.placed++;
            mine.push(result.reservation.reservationId);
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 150));
      }
    };

    const chaos = async () => {
      const kills: string[] = [];
      let replica = 0;
      for (const service of SERVICE_NAMES) {
        for (const index of [0, 1]) {
          await system.stopReplica(service, index, "SIGKILL");
          kills.push(`${service}#${index}`);
          await new Promise((resolve) => setTimeout(resolve, 700));
          await system.startReplica(service, index);
          if (++replica === 5) {
            await nats.restart(); // once, in the middle
            kills.push("nats");
          }
          await new Promise((resolve) => setTimeout(resolve, 800));
        }
      }
      return kills;
    };

    const [kills] = await Promise.all([chaos().finally(() => (running = false)), ...Array.from({ length: CUSTOMERS }, (_, n) => customer(n))]);
    console.log(`chaos: killed ${kills.join(", ")}; workload ${JSON.stringify(outcomes)}`);
    for (const c of reservationClients) c.close();

    // Then restart everything, gracefully, as a rolling deploy would.
    for (const r of system.replicas) {
      expect(await system.stopReplica(r.service, r.index, "SIGTERM"), `${r.service}#${r.index} exit code (logs: ${system.logDir})`).toBe(0);
      await system.startReplica(r.service, r.index);
    }

    let report: ConvergenceReport | undefined;
    await waitFor(
      async () => {
        report = await checkConvergence(system);
        return report.problems.length === 0;
      },
      240_000,
      "the system to converge",
      2_000,
    ).catch((error) => {
      console.log(
        `chaos: not converged (${report?.problems.length} problems, namespace ${system.namespace}): ${JSON.stringify(report?.problems.slice(0, 40), null, 1)}`,
      );
      throw error;
    });
    console.log(`chaos: converged — ${JSON.stringify(report!.counts)}`);
    expect(report!.problems).toEqual([]);
    expect(report!.counts.reservations).toBeGreaterThan(20);
  });
});
