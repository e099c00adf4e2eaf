import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestSystem, waitFor } from "../support/system.js";
import { lockWaiters } from "../support/row-locks.js";
import { withPgClient } from "../../tools/infra.js";

/**
 * GetMusical under a crowd: reads of one musical that arrive while one is in flight are answered together by the
 * next statement, yet every read sees every write that finished before it was sent.
 */
describe("catalog reads of one musical are coalesced", () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start({ services: ["musical"], gateway: false });
  });
  afterAll(async () => system?.stop());

  it("300 concurrent GetMusical while the catalog is locked: ONE statement waits, the rest wait in line for the next; all answered right", async () => {
    const musical = system.client("musical");
    const manager = await system.token("catalog-manager", "manager");
    await musical.registerMusical({ musicalId: "crowd", name: "Crowd", totalSeats: 40, seatPrice: "1000" }, manager);
    const reader = await system.token("catalog-reader");

    // The test's own transaction locks the table, so every read statement musical sends waits in PostgreSQL, where it can be counted.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const session = withPgClient(system.databaseUrl("musical"), 10_000, async (client) => {
      await client.query("begin");
      await client.query("lock table musicals in access exclusive mode");
      locked();
      await released;
      await client.query("commit");
    });
    await isLocked;
    const reads = Promise.all(Array.from({ length: 300 }, () => musical.getMusical({ musicalId: "crowd" }, reader)));
    await waitFor(async () => (await lockWaiters(system.databaseUrl("musical"))) > 0, 10_000, "a read waiting for the lock");
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // time for every call to arrive and, without coalescing, to queue a statement
    const waiting = await lockWaiters(system.databaseUrl("musical"));
    release();
    await session;
    const answers = await reads;
    // One statement per call before coalescing: as many waited as musical's pool has connections.
    expect(waiting).toBe(1);
    expect(answers.every((a) => a.musical?.name === "Crowd" && a.musical.reservableSeats === 40)).toBe(true);

    // Registered, then read at once while a crowd reads it: the read is not answered by a statement that began before.
    const crowd = Array.from({ length: 200 }, () => musical.getMusical({ musicalId: "crowd" }, reader));
    await musical.registerMusical({ musicalId: "late", name: "Late", totalSeats: 5, seatPrice: "1000" }, manager);
    expect((await musical.getMusical({ musicalId: "late" }, reader)).musical?.totalSeats).toBe(5);
    await Promise.all(crowd);
    await expect(musical.getMusical({ musicalId: "missing" }, reader)).rejects.toMatchObject({ code: 5 });
    musical.close();
  });
});
