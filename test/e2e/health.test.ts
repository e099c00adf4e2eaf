import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestSystem, waitFor } from "../support/system.js";
import { RestartableNats } from "../support/nats.js";
import { unaryClient } from "../support/grpc-clients.js";

/** Readiness follows the real dependencies: NOT_SERVING while NATS is gone, SERVING again once it is back. */
describe("health reflects the dependencies", () => {
  let nats: RestartableNats;
  let system: TestSystem;
  beforeAll(async () => {
    nats = await RestartableNats.start();
    system = await TestSystem.start({ services: ["musical"], gateway: false, natsUrl: nats.url });
  });
  afterAll(async () => {
    await system?.stop();
    await nats?.stop();
  });

  it("NATS down → NOT_SERVING (liveness stays SERVING); NATS back → SERVING", async () => {
    const health = unaryClient("health", system.address("musical"));
    const status = async (service: string) => (await health.check!({ service }, undefined, 2_000)).status;
    expect(await status("")).toBe("SERVING");
    expect(await status("outerpark.musical.v1.MusicalService")).toBe("SERVING");

    await nats.pause();
    const t0 = Date.now();
    await waitFor(async () => (await status("")) === "NOT_SERVING", 20_000, "NOT_SERVING");
    console.log(`health: NOT_SERVING ${Date.now() - t0} ms after NATS stopped`);
    expect(await status("outerpark.musical.v1.MusicalService")).toBe("NOT_SERVING");
    expect(await status("liveness")).toBe("SERVING");

    await nats.resume();
    await waitFor(async () => (await status("")) === "SERVING", 30_000, "SERVING again");
    health.close();
  });
});
