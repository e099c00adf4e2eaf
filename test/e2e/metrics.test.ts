import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICE_NAMES, type ServiceName } from "#kit/config.js";
import { TestSystem, waitFor } from "../support/system.js";
import { expectStatus, grpc, openStream, type ServiceClient } from "../support/grpc-clients.js";

const root = path.resolve(import.meta.dirname, "../..");
const promtool = path.join(root, ".tools/bin/promtool");

/** One sample of the Prometheus text format: `name{labels} value`; absent means 0 (a counter not yet touched). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  let found = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) {
      // Several series can match a partial label set: their sum.
      total += Number(match[3]);
      found = true;
    }
  }
  return found ? total : 0;
}

const RESERVATION = "outerpark.reservation.v1.ReservationService";
const MUSICAL = "outerpark.musical.v1.MusicalService";

/** Metrics as the Prometheus tooling reads them, and counters that move by exactly what one reservation did. */
describe("metrics", () => {
  let system: TestSystem;
  let manager: string;
  let alice: string;
  let musical: ServiceClient<"musical">;
  let reservation: ServiceClient<"reservation">;

  beforeAll(async () => {
    // promtool is built once (pinned) by tools/go-tools.sh; a second run costs nothing.
    execFileSync(path.join(root, "tools/go-tools.sh"), ["promtool"], { stdio: "inherit" });
    system = await TestSystem.start();
    manager = await system.token("manager-1", "manager");
    alice = await system.token("alice");
    musical = system.client("musical");
    reservation = system.client("reservation");
    await musical.registerMusical({ musicalId: "metrics-show", name: "Cats", totalSeats: 10, seatPrice: "50000" }, manager);
  });

  afterAll(async () => {
    for (const c of [musical, reservation]) c?.close();
    await system?.stop();
  });

  it("every service's /metrics passes promtool check metrics, with runtime metrics labelled by service", async () => {
    for (const service of SERVICE_NAMES) {
      const text = await system.metrics(service);
      const check = spawnSync(promtool, ["check", "metrics"], { input: text, encoding: "utf8" });
      expect(`${check.stdout}${check.stderr}`.trim(), `promtool on ${service}`).toBe("");
      expect(check.status, `promtool exit on ${service}`).toBe(0);
      expect(sample(text, "nodejs_eventloop_lag_seconds", { service }), `${service} event loop lag`).toBeGreaterThanOrEqual(0);
      expect(text).toMatch(new RegExp(`^nodejs_heap_size_used_bytes\\{service="${service}"\\} `, "m"));
      expect(text).toMatch(/^# TYPE nodejs_gc_duration_seconds histogram$/m);
    }
  });

  it("one reservation through the saga moves the counters by exactly what happened", async () => {
    const before = await snapshot();

    const placed = (await reservation.placeReservation({ musicalId: "metrics-show", seats: 2, idempotencyKey: "metrics-1" }, alice)).reservation;
    // A refusal: more seats than the show has. Counted as FailedPrecondition, and places nothing.
    await expectStatus(
      reservation.placeReservation({ musicalId: "metrics-show", seats: 12, idempotencyKey: "metrics-2" }, alice),
      grpc.status.FAILED_PRECONDITION,
    );
    await waitFor(
      async () => (await reservation.getReservation({ reservationId: placed.reservationId }, alice)).reservation.status === "RESERVATION_STATUS_PAID",
      20_000,
      "paid",
    );
    // The confirmation is counted after its commit; the outbox drains shortly after.
    await waitFor(
      async () => sample(await system.metrics("reservation"), "outerpark_reservations_total", { outcome: "confirmed" }) > 0,
      10_000,
      "confirmed counted",
    );
    await waitFor(async () => sample(await system.metrics("reservation"), "outerpark_outbox_waiting") === 0, 10_000, "outbox drained");

    const after = await snapshot();
    const delta = (service: ServiceName, name: string, labels: Record<string, string> = {}) =>
      sample(after[service], name, labels) - sample(before[service], name, labels);

    const place = { grpc_type: "unary", grpc_service: RESERVATION, grpc_method: "PlaceReservation" };
    expect(delta("reservation", "grpc_server_started_total", place)).toBe(2);
    expect(delta("reservation", "grpc_server_handled_total", { ...place, grpc_code: "OK" })).toBe(1);
    expect(delta("reservation", "grpc_server_handled_total", { ...place, grpc_code: "FailedPrecondition" })).toBe(1);
    expect(delta("reservation", "grpc_server_handling_seconds_count", place)).toBe(2);
    expect(delta("reservation", "grpc_server_handling_seconds_bucket", { ...place, le: "+Inf" })).toBe(2);

    // Reservation → musical, seen from both ends.
    const take = { grpc_type: "unary", grpc_service: MUSICAL, grpc_method: "ReserveSeats" };
    expect(delta("reservation", "grpc_client_started_total", take)).toBe(2);
    expect(delta("reservation", "grpc_client_handled_total", { ...take, grpc_code: "OK" })).toBe(1);
    expect(delta("reservation", "grpc_client_handled_total", { ...take, grpc_code: "FailedPrecondition" })).toBe(1);
    expect(delta("reservation", "grpc_client_handling_seconds_count", take)).toBe(2);
    expect(delta("musical", "grpc_server_handled_total", { ...take, grpc_code: "OK" })).toBe(1);
    expect(delta("musical", "grpc_server_handled_total", { ...take, grpc_code: "FailedPrecondition" })).toBe(1);

    // The saga: one placed, one confirmed by payment, nothing else.
    expect(delta("reservation", "outerpark_reservations_total", { outcome: "placed" })).toBe(1);
    expect(delta("reservation", "outerpark_reservations_total", { outcome: "confirmed" })).toBe(1);
    for (const outcome of ["cancelled", "rejected", "expired"])
      expect(delta("reservation", "outerpark_reservations_total", { outcome }), outcome).toBe(0);
    expect(delta("reservation", "outerpark_placements_aborted_total")).toBe(0);
    expect(delta("reservation", "outerpark_events_dead_lettered_total")).toBe(0);
    expect(delta("payment", "outerpark_events_dead_lettered_total")).toBe(0);
    expect(sample(after.reservation, "outerpark_breaker_state", { breaker: "musical", state: "closed" })).toBe(1);
    expect(sample(after.reservation, "outerpark_breaker_state", { breaker: "musical", state: "open" })).toBe(0);

    // Facts announced: one placement, one approval, one confirmation; two seats taken, none returned.
    const recorded = (service: ServiceName, type: string) => delta(service, "outerpark_events_recorded_total", { event_type: type });
    expect(recorded("reservation", "outerpark.reservation.v1.ReservationPlaced")).toBe(1);
    expect(recorded("reservation", "outerpark.reservation.v1.ReservationConfirmed")).toBe(1);
    expect(recorded("payment", "outerpark.payment.v1.PaymentApproved")).toBe(1);
    expect(recorded("payment", "outerpark.payment.v1.PaymentFailed")).toBe(0);
    expect(delta("musical", "outerpark_seats_taken_total")).toBe(2);
    expect(delta("musical", "outerpark_seats_returned_total")).toBe(0);
    for (const status of ["PENDING", "DEFERRED", "REFUND_PENDING"])
      expect(sample(after.payment, "outerpark_payments_unsettled", { status }), status).toBe(0);
    expect(sample(after.payment, "outerpark_breaker_state", { breaker: "payment-gateway", state: "closed" })).toBe(1);

    // Payment handled the placement (opening the payment), reservation the approval: once each, no redelivery.
    expect(delta("payment", "outerpark_events_consumed_total", { consumer: "payment-reservation-ReservationPlaced", outcome: "handled" })).toBe(1);
    expect(delta("reservation", "outerpark_events_consumed_total", { consumer: "reservation-payment", outcome: "handled" })).toBe(1);
    expect(delta("payment", "outerpark_events_redelivered_total") + delta("reservation", "outerpark_events_redelivered_total")).toBe(0);
    expect(sample(after.reservation, "outerpark_outbox_oldest_age_seconds")).toBe(0);
    expect(after.payment).toMatch(/^outerpark_consumer_pending_messages\{[^}]*consumer="payment-reservation-ReservationPlaced"/m);
    expect(sample(after.payment, "outerpark_consumer_pending_messages", { consumer: "payment-reservation-ReservationPlaced" })).toBe(0);
  });

  it("an open MyPage watch is one stream open; when the client goes it is handled as Canceled", async () => {
    const watch = { grpc_service: "outerpark.customercenter.v1.CustomerCenterService", grpc_method: "WatchMyPage" };
    const handled = { ...watch, grpc_type: "server_stream", grpc_code: "Canceled" };
    const before = sample(await system.metrics("customercenter"), "grpc_server_handled_total", handled);
    const customercenter = system.client("customercenter");
    const stream = openStream(customercenter.raw, "watchMyPage", {}, alice);
    const open = async () => sample(await system.metrics("customercenter"), "outerpark_server_streams_open", watch);
    await waitFor(async () => (await open()) === 1, 10_000, "one stream open");
    stream.cancel();
    await waitFor(async () => (await open()) === 0, 10_000, "stream closed");
    const text = await system.metrics("customercenter");
    expect(
      sample(text, "grpc_server_handled_total", handled) - before,
      text
        .split("\n")
        .filter((l) => l.includes("WatchMyPage"))
        .join("\n"),
    ).toBe(1);
    customercenter.close();
  });

  async function snapshot(): Promise<Record<ServiceName, string>> {
    const entries = await Promise.all(SERVICE_NAMES.map(async (s) => [s, await system.metrics(s)] as const));
    return Object.fromEntries(entries) as Record<ServiceName, string>;
  }
});
