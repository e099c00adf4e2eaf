import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICE_NAMES } from "#kit/config.js";
import { TestSystem, waitFor } from "../support/system.js";
import type { ServiceClient } from "../support/grpc-clients.js";
import { OtlpReceiver, SPAN_KIND, type ReceivedSpan } from "../support/otlp-receiver.js";

const RESERVATION = "outerpark.reservation.v1.ReservationService";
const MUSICAL = "outerpark.musical.v1.MusicalService";

/** One reservation's path through the five services, as the spans they export over OTLP to a real OTLP/HTTP endpoint. */
describe("tracing", () => {
  let receiver: OtlpReceiver;
  let system: TestSystem;
  let alice: string;
  let reservation: ServiceClient<"reservation">;
  let customercenter: ServiceClient<"customercenter">;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    // A short batch delay, so the spans arrive within the test's waits.
    system = await TestSystem.start({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: "100" } });
    alice = await system.token("alice");
    reservation = system.client("reservation");
    customercenter = system.client("customercenter");
    const musical = system.client("musical");
    await musical.registerMusical({ musicalId: "traced-show", name: "Cats", totalSeats: 10, seatPrice: "50000" }, await system.token("m", "manager"));
    musical.close();
  });

  afterAll(async () => {
    for (const c of [reservation, customercenter]) c?.close();
    await system?.stop();
    await receiver?.stop();
  });

  it("PlaceReservation → seats → payment → confirmation → notice and MyPage is one trace, each step the child of the one that caused it", async () => {
    const placed = (await reservation.placeReservation({ musicalId: "traced-show", seats: 2, idempotencyKey: "traced-1" }, alice)).reservation;
    const id = placed.reservationId;
    await waitFor(
      async () => (await reservation.getReservation({ reservationId: id }, alice)).reservation.status === "RESERVATION_STATUS_PAID",
      20_000,
      "paid",
    );
    // Paid on MyPage with the approval notice: notice and customercenter have both handled the confirmation.
    await waitFor(
      async () =>
        (await customercenter.getMyPage({}, alice)).reservations.some(
          (r: { reservationId: string; reservationStatus: string; paymentState: string; notifications: unknown[] }) =>
            r.reservationId === id &&
            r.reservationStatus === "RESERVATION_STATUS_PAID" &&
            r.paymentState === "PAYMENT_STATE_APPROVED" &&
            r.notifications.length === 1,
        ),
      20_000,
      "paid on MyPage, with its notice",
    );

    const ns = system.namespace;
    const placeName = `${RESERVATION}/PlaceReservation`;
    const one = (spans: ReceivedSpan[], what: string, match: (s: ReceivedSpan) => boolean): ReceivedSpan => {
      const found = spans.filter(match);
      expect(found, `${what}: ${found.length} spans`).toHaveLength(1);
      return found[0]!;
    };
    // Every span of the path, once exported: the batch processors send within ~100 ms of a span's end.
    let trace: ReceivedSpan[] = [];
    let root: ReceivedSpan | undefined;
    await waitFor(
      async () => {
        root = receiver.spans.find((s) => s.name === placeName && s.kind === SPAN_KIND.SERVER);
        if (!root) return false;
        trace = receiver.trace(root.traceId);
        const consumers = trace.filter((s) => s.kind === SPAN_KIND.CONSUMER && s.name === `process ${ns}.reservation.ReservationConfirmed`);
        const handledBy = new Set(consumers.map((s) => s.service));
        return (
          handledBy.has("notice") && handledBy.has("customercenter") && trace.some((s) => s.service === "musical" && s.kind === SPAN_KIND.SERVER)
        );
      },
      20_000,
      "the reservation's spans from every service",
    );
    expect(receiver.rejected).toEqual([]);
    root = root!;
    const rootSpan = root;

    // The caller sent no traceparent: PlaceReservation starts the trace, with the RPC conventions.
    expect(rootSpan).toMatchObject({ service: "reservation", parentSpanId: "", statusCode: 0 });
    expect(rootSpan.attributes).toEqual({
      "rpc.system": "grpc",
      "rpc.service": RESERVATION,
      "rpc.method": "PlaceReservation",
      "rpc.grpc.status_code": 0,
    });

    // Reservation → musical: the CLIENT span in reservation, the SERVER span in musical under it (traceparent in the gRPC metadata).
    const seatCall = one(trace, "seat call", (s) => s.kind === SPAN_KIND.CLIENT && s.name === `${MUSICAL}/ReserveSeats`);
    expect(seatCall).toMatchObject({ service: "reservation", parentSpanId: rootSpan.spanId });
    expect(seatCall.attributes).toMatchObject({
      "rpc.system": "grpc",
      "rpc.service": MUSICAL,
      "rpc.method": "ReserveSeats",
      "rpc.grpc.status_code": 0,
    });
    const seatServer = one(trace, "musical's ReserveSeats", (s) => s.kind === SPAN_KIND.SERVER && s.name === `${MUSICAL}/ReserveSeats`);
    expect(seatServer).toMatchObject({ service: "musical", parentSpanId: seatCall.spanId });

    // The outbox carries the trace: ReservationPlaced is published (PRODUCER) under PlaceReservation, and payment handles it under that.
    const child = (parent: ReceivedSpan, service: string, kind: number, name: string) =>
      one(
        trace,
        `${service}'s ${name} under ${parent.name}`,
        (s) => s.parentSpanId === parent.spanId && s.service === service && s.kind === kind && s.name === name,
      );
    const placedOut = child(rootSpan, "reservation", SPAN_KIND.PRODUCER, `publish ${ns}.reservation.ReservationPlaced`);
    expect(placedOut.attributes).toMatchObject({ "messaging.system": "nats", "messaging.destination.name": `${ns}.reservation.ReservationPlaced` });
    const paymentOpened = child(placedOut, "payment", SPAN_KIND.CONSUMER, `process ${ns}.reservation.ReservationPlaced`);
    expect(paymentOpened.attributes).toMatchObject({
      "messaging.consumer.group.name": "payment-reservation-ReservationPlaced",
      "messaging.operation.type": "process",
    });

    // The processor charges later, in its own span continuing the payment's trace; the approval goes out under it.
    const charged = child(paymentOpened, "payment", SPAN_KIND.INTERNAL, "payment process");
    const approvedOut = child(charged, "payment", SPAN_KIND.PRODUCER, `publish ${ns}.payment.PaymentApproved`);
    const confirmed = child(approvedOut, "reservation", SPAN_KIND.CONSUMER, `process ${ns}.payment.PaymentApproved`);
    const confirmedOut = child(confirmed, "reservation", SPAN_KIND.PRODUCER, `publish ${ns}.reservation.ReservationConfirmed`);
    for (const service of ["notice", "customercenter"])
      child(confirmedOut, service, SPAN_KIND.CONSUMER, `process ${ns}.reservation.ReservationConfirmed`);

    // All five services took part; every span's parent is in the trace (none lost, none from another trace).
    expect(new Set(trace.map((s) => s.service))).toEqual(new Set(SERVICE_NAMES));
    const ids = new Set(trace.map((s) => s.spanId));
    expect(trace.filter((s) => s.parentSpanId !== "" && !ids.has(s.parentSpanId)).map((s) => s.name)).toEqual([]);
    expect(trace.filter((s) => s.parentSpanId === "")).toEqual([rootSpan]);

    // Logs join the trace: payment's "payment opened" line carries the consumer span's ids.
    const paymentLog = readFileSync(path.join(system.logDir, "payment-0.log"), "utf8")
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const opened = paymentLog.find((line) => line.msg === "payment opened" && line.reservationId === id);
    expect(opened).toMatchObject({ trace_id: rootSpan.traceId, span_id: paymentOpened.spanId });
  });

  it("events a consumer takes together keep each one's trace: every confirmation is published under its own approval", async () => {
    // Approvals pile up while reservation is stopped, so its consumer takes them together when it is back.
    await system.setGateway({ latencyMs: 1_000 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (await reservation.placeReservation({ musicalId: "traced-show", seats: 1, idempotencyKey: `batched-${i}` }, alice)).reservation.reservationId,
      );
    }
    const approvedBefore = (await system.gatewayStats()).approvedCharges;
    reservation.close();
    await system.stopReplica("reservation");
    await waitFor(async () => (await system.gatewayStats()).approvedCharges >= approvedBefore + 3, 20_000, "three charges approved");
    await system.setGateway({ latencyMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // payment's relay publishes the approvals
    await system.startReplica("reservation");
    reservation = system.client("reservation");
    for (const id of ids) {
      await waitFor(
        async () => (await reservation.getReservation({ reservationId: id }, alice)).reservation.status === "RESERVATION_STATUS_PAID",
        20_000,
        `${id} paid`,
      );
    }

    const ns = system.namespace;
    const handled = (spans: ReceivedSpan[]) =>
      spans.filter((s) => s.service === "reservation" && s.kind === SPAN_KIND.CONSUMER && s.name === `process ${ns}.payment.PaymentApproved`);
    let approvals: ReceivedSpan[] = [];
    await waitFor(
      async () => {
        // The approvals handled after the restart: the first test's one came before.
        approvals = handled(receiver.spans).slice(1);
        return approvals.length === 3 && receiver.spans.filter((s) => s.name === `publish ${ns}.reservation.ReservationConfirmed`).length >= 4;
      },
      20_000,
      "three approvals handled and their confirmations published",
    );
    for (const approval of approvals) {
      const published = receiver.spans.filter(
        (s) => s.kind === SPAN_KIND.PRODUCER && s.name === `publish ${ns}.reservation.ReservationConfirmed` && s.parentSpanId === approval.spanId,
      );
      expect(
        published.map((s) => s.traceId),
        "the confirmation published under its approval, in the same trace",
      ).toEqual([approval.traceId]);
    }
  });
});

describe("tracing off", () => {
  it("without OTEL_EXPORTER_OTLP_ENDPOINT nothing is exported, stored or logged, even with the signal's own endpoint set", async () => {
    const receiver = await OtlpReceiver.start();
    // The exporter would honour OTEL_EXPORTER_OTLP_TRACES_ENDPOINT if the SDK were set up: it must not be.
    const system = await TestSystem.start({
      services: ["musical", "reservation"],
      gateway: false,
      env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.endpoint}/v1/traces`, OTEL_BSP_SCHEDULE_DELAY: "100" },
    });
    try {
      const alice = await system.token("alice");
      const musical = system.client("musical");
      const reservation = system.client("reservation");
      await musical.registerMusical({ musicalId: "untraced", name: "Cats", totalSeats: 10, seatPrice: "50000" }, await system.token("m", "manager"));
      await reservation.placeReservation({ musicalId: "untraced", seats: 1, idempotencyKey: "untraced-1" }, alice);
      await waitFor(async () => (await system.streamMessageCount("reservation")) > 0, 10_000, "the placement published");
      // Ten batch delays: a registered SDK would have exported by now.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      musical.close();
      reservation.close();
      // Nothing stored with the outbox row carried over into the published message either.
      const headerNames = (await system.lastStreamMessageHeaderNames("reservation"))?.map((name) => name.toLowerCase());
      expect(headerNames).toBeDefined();
      expect(headerNames).not.toContain("traceparent");
      expect(headerNames).not.toContain("tracestate");
      const logged = readFileSync(path.join(system.logDir, "reservation-0.log"), "utf8");
      expect(logged).toContain("service started");
      expect(logged).not.toContain("trace_id");
    } finally {
      await system.stop();
    }
    // Stopped gracefully too: a shutdown flush would have sent what it had.
    expect(receiver.requests).toBe(0);
    await receiver.stop();
  });
});
