import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBinary } from "@bufbuild/protobuf";
import { connect, headers } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { newEvent } from "#kit/events.js";
import { PaymentApprovedSchema } from "#gen/outerpark/payment/v1/events_pb.js";
import { ReservationPlacedSchema } from "#gen/outerpark/reservation/v1/events_pb.js";
import { TestSystem, waitFor } from "../support/system.js";

const root = path.resolve(import.meta.dirname, "../..");
const run = promisify(execFile);

/**
 * Poison messages: one that cannot be decoded, and one whose handler keeps
 * failing, go to the dead-letter stream with a reason after a bounded number
 * of tries, without blocking the consumer; an operator lists and replays them.
 */
describe("dead letters", () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start({ env: { CONSUMER_MAX_DELIVERIES: "3" } });
  });
  afterAll(async () => system?.stop());

  const cli = async (...args: string[]) =>
    (
      await run(path.join(root, "node_modules/.bin/node"), [path.join(root, "dist/tools/outerpark.js"), "deadletters", ...args], {
        env: { ...process.env, NATS_URL: system.infra.natsUrl, EVENT_NAMESPACE: system.namespace },
      })
    ).stdout;

  it("parks poison events with a reason, keeps consuming, and lets an operator list and replay them", async () => {
    const nc = await connect({ servers: system.infra.natsUrl });
    const js = jetstream(nc);
    const publish = async (subject: string, type: string, data: Uint8Array, id: string) => {
      const h = headers();
      h.set("Event-Type", type);
      await js.publish(`${system.namespace}.${subject}`, data, { headers: h, msgID: id });
    };
    // 1. Garbage bytes claiming to be a ReservationPlaced: payment and customercenter cannot decode it.
    await publish("reservation.ReservationPlaced", ReservationPlacedSchema.typeName, new Uint8Array([0xff, 0xff, 0xff, 0x0f]), "garbage-1");
    // 2. A well-formed PaymentApproved for a reservation nobody has: reservation's handler fails every time.
    const orphan = newEvent(PaymentApprovedSchema, {
      paymentId: "p-orphan",
      reservationId: "00000000-0000-4000-8000-0000000000aa",
      customerId: "ghost",
      amount: 1n,
    });
    await publish("payment.PaymentApproved", PaymentApprovedSchema.typeName, toBinary(PaymentApprovedSchema, orphan), orphan.eventId);
    await nc.close();

    // Meanwhile real work flows through the same consumers.
    const manager = await system.token("manager", "manager");
    const gina = await system.token("gina");
    const musical = system.client("musical");
    const reservation = system.client("reservation");
    await musical.registerMusical({ musicalId: "annie", name: "Annie", totalSeats: 5, seatPrice: "30000" }, manager);
    const placed = (await reservation.placeReservation({ musicalId: "annie", seats: 1, idempotencyKey: "g1" }, gina)).reservation;
    await waitFor(
      async () => (await reservation.getReservation({ reservationId: placed.reservationId }, gina)).reservation.status === "RESERVATION_STATUS_PAID",
      30_000,
      "paid despite poison",
    );

    await waitFor(async () => (await cli("list")).trim().split("\n").filter(Boolean).length === 3, 40_000, "three dead letters", 500);
    const entries = (await cli("list"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const byConsumer = Object.fromEntries(entries.map((e) => [`${e.consumer}:${e.eventType.split(".").pop()}`, e]));
    expect(Object.keys(byConsumer).sort()).toEqual(["customercenter:ReservationPlaced", "payment:ReservationPlaced", "reservation:PaymentApproved"]);
    expect(byConsumer["payment:ReservationPlaced"].reason).toMatch(/cannot decode/);
    expect(byConsumer["reservation:PaymentApproved"].reason).toMatch(/unknown here/);
    expect(byConsumer["reservation:PaymentApproved"].deliveries).toBe(3);
    console.log(`dead letters: ${entries.length} parked (${Object.keys(byConsumer).join(", ")}), consumers kept working`);

    // Replay one consumer's letters: they leave the dead-letter stream and are delivered again.
    expect(await cli("replay", "--consumer", "reservation")).toMatch(/replayed 1 dead letters/);
    const remaining = (await cli("list"))
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    expect(remaining.map((e) => e.consumer).sort()).toEqual(["customercenter", "payment"]);
    // Still failing (the reservation still does not exist), so it comes back after its tries: proof it was redelivered.
    await waitFor(
      async () => (await cli("list", "--consumer", "reservation")).trim().split("\n").filter(Boolean).length === 1,
      40_000,
      "replayed letter parked again",
      500,
    );
    musical.close();
    reservation.close();
  });
});
