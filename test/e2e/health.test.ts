import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { TestSystem, waitFor } from "../support/system.js";
import { RestartableNats } from "../support/nats.js";
import { unaryClient } from "../support/grpc-clients.js";
import { provideInfrastructure, type Infrastructure } from "../../tools/infra.js";

/** Readiness follows the real dependencies: NOT_SERVING while one is gone, SERVING again once it is back. */
describe("health reflects the dependencies", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  const statusOf = (system: TestSystem) => {
    const health = unaryClient("health", system.address("musical"));
    cleanups.push(async () => health.close());
    return async (service: string) => (await health.check({ service }, undefined, 2_000)).status as string;
  };

  it("NATS down → NOT_SERVING (liveness stays SERVING); NATS back → SERVING", async () => {
    const nats = await RestartableNats.start();
    cleanups.push(() => nats.stop());
    const system = await TestSystem.start({ services: ["musical"], gateway: false, natsUrl: nats.url });
    cleanups.push(() => system.stop());
    const status = statusOf(system);
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
  });

  it("PostgreSQL down → NOT_SERVING; PostgreSQL back → SERVING", async () => {
    // A PostgreSQL of this test's own (embedded), so it can be stopped without touching anyone else's.
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "outerpark-health-pg-"));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    let postgres: Infrastructure = await provideInfrastructure({ dataDir, preferExisting: false, natsUrl: inject("infra").natsUrl });
    cleanups.push(() => postgres.stop());
    const system = await TestSystem.start({ services: ["musical"], gateway: false, postgresUrl: postgres.postgresUrl });
    cleanups.push(() => system.stop());
    const status = statusOf(system);
    expect(await status("")).toBe("SERVING");

    const url = postgres.postgresUrl;
    await postgres.stop();
    const t0 = Date.now();
    await waitFor(async () => (await status("")) === "NOT_SERVING", 20_000, "NOT_SERVING");
    console.log(`health: NOT_SERVING ${Date.now() - t0} ms after PostgreSQL stopped`);
    expect(await status("liveness")).toBe("SERVING");

    postgres = await provideInfrastructure({ dataDir, preferExisting: false, natsUrl: inject("infra").natsUrl });
    expect(postgres.postgresUrl).toBe(url); // same data directory, same port
    await waitFor(async () => (await status("")) === "SERVING", 30_000, "SERVING again");
  });
});
