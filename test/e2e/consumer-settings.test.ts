import { afterAll, describe, expect, it } from "vitest";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { streamName } from "#kit/events.js";
import { RestartableNats } from "../support/nats.js";
import { TestSystem } from "../support/system.js";

/**
 * A release that changes a consumer setting (here CONSUMER_ACK_WAIT_MS) must
 * start, and leave the durable consumers on the server with the new setting.
 * A NATS of the test's own: a current nats-server (.tools/bin) refuses to
 * create a durable that exists with another config ("consumer already
 * exists"); Debian's 2.9 quietly updates it, so it cannot show the failure.
 */
describe("a changed consumer setting", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it("restarts with the new ack wait, and the server's consumers have it", { timeout: 25 * 60_000 }, async () => {
    const nats = await RestartableNats.startPinned();
    cleanups.push(() => nats.stop());
    const system = await TestSystem.start({ services: ["notice"], gateway: false, natsUrl: nats.url, env: { CONSUMER_ACK_WAIT_MS: "30000" } });
    cleanups.push(() => system.stop());

    const nc = await connect({ servers: nats.url });
    cleanups.push(() => nc.close());
    const [major, minor] = nc.info!.version.split(".").map(Number);
    expect(major! > 2 || minor! >= 10, `nats-server ${nc.info!.version} updates on create; run tools/go-tools.sh nats-server`).toBe(true);
    const jsm = await jetstreamManager(nc);
    // Notice's durables on both streams it reads (one per event type it handles), each with its ack wait.
    const ackWaitsMs = async () => {
      const waits: Record<string, number> = {};
      for (const domain of ["payment", "reservation"] as const) {
        for await (const info of jsm.consumers.list(streamName(system.namespace, domain))) {
          if (info.name.startsWith("notice-")) waits[info.name] = (info.config.ack_wait ?? 0) / 1_000_000;
        }
      }
      return waits;
    };
    const durables = [
      "notice-payment-PaymentCancelled",
      "notice-payment-PaymentFailed",
      "notice-reservation-ReservationCancelled",
      "notice-reservation-ReservationConfirmed",
      "notice-reservation-ReservationExpired",
    ];
    expect(await ackWaitsMs()).toEqual(Object.fromEntries(durables.map((name) => [name, 30_000])));

    expect(await system.stopReplica("notice")).toBe(0);
    await system.startReplica("notice", 0, { CONSUMER_ACK_WAIT_MS: "12000" });
    expect(await ackWaitsMs()).toEqual(Object.fromEntries(durables.map((name) => [name, 12_000])));
  });
});
