import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestSystem, waitFor } from "../support/system.js";

/**
 * The payment processor alone: a backlog of due payments (as a rush of
 * ReservationPlaced leaves behind) against the simulated gateway, without and
 * with gateway latency; payments/s until every one is approved and its
 * PaymentApproved relayed to JetStream.
 *   vitest run --config vitest.bench.config.ts test/bench/payments.bench.ts
 */
describe("payment processor throughput", () => {
  const backlog = Number(process.env.PAYMENT_BENCH_BACKLOG ?? 2_000);
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start({ services: ["payment"], gateway: true, env: { LOG_LEVEL: "warn" } });
  });
  afterAll(async () => system?.stop());

  const count = async (sql: string) => (await system.sql<{ n: number }>("payment", sql))[0]!.n;

  for (const latencyMs of [0, 50]) {
    it(`approves a backlog of ${backlog} payments, gateway latency ${latencyMs} ms`, async () => {
      await system.setGateway({ latencyMs });
      const tag = `l${latencyMs}-`;
      const chargedBefore = (await system.gatewayStats()).approvedCharges;
      const started = Date.now();
      await system.sql(
        "payment",
        `insert into payments (payment_id, reservation_id, customer_id, amount, status, expires_at)
         select $1 || i, $1 || i, 'c' || (i % 100), 1000, 'PENDING', now() + interval '1 hour' from generate_series(1, $2::int) i`,
        [tag, backlog],
      );
      await waitFor(
        async () => (await count(`select count(*)::int as n from payments where status = 'APPROVED' and payment_id like '${tag}%'`)) === backlog,
        600_000,
        "every payment approved",
        100,
      );
      const approved = Date.now();
      await waitFor(async () => (await count("select count(*)::int as n from outbox where published_at is null")) === 0, 120_000, "all relayed", 100);
      const relayed = Date.now();
      const rate = (ms: number) => Math.round((backlog / ms) * 1000);
      console.log(
        `payments (gateway latency ${latencyMs} ms): ${backlog} approved at ${rate(approved - started)}/s, relayed at ${rate(relayed - started)}/s`,
      );
      // Each charged exactly once.
      expect((await system.gatewayStats()).approvedCharges - chargedBefore).toBe(backlog);
      expect(await count(`select count(*)::int as n from payments where payment_id like '${tag}%' and attempts <> 1`)).toBe(0);
    });
  }
});
