import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { withPgClient } from "../../tools/infra.js";
import { childrenCpuSeconds, cpuMsPerCall, programCpuSeconds } from "./cpu.js";
import { nodeBinary } from "./ceilings.js";

const run = promisify(execFile);
/** A child that spins until it has used `ms` of CPU (not of wall time, which a busy machine would stretch) and exits. */
const spin = (ms: number) =>
  run(nodeBinary, ["-e", `for (;;) { const { user, system } = process.cpuUsage(); if (user + system >= ${ms * 1000}) break; }`]);

describe("the bench's CPU accounting", () => {
  it("counts a child that ran and exited (as pgbench and the load generator do)", async () => {
    const { cpuMs } = await cpuMsPerCall({ children: childrenCpuSeconds }, async () => {
      await spin(400);
      return { result: undefined, calls: 2 };
    });
    // 400 ms spun over 2 calls, and node's own start: at least 200 ms per call, within reason.
    expect(cpuMs.children).toBeGreaterThanOrEqual(190);
    expect(cpuMs.children).toBeLessThan(1_000);
  });

  it("counts PostgreSQL's backends, the ones that exit with their connection too", async () => {
    const before = programCpuSeconds("postgres");
    expect(before).toBeGreaterThan(0);
    // A connection's backend spins for 0.5 s and exits: its CPU moves to the postmaster's children time, still counted.
    // Wall time, so a busy machine may give it less CPU than that; a counter that missed it would see next to none.
    await withPgClient(inject("infra").postgresUrl, 30_000, (client) =>
      client.query(`do $$ declare t timestamptz := clock_timestamp(); begin while clock_timestamp() < t + interval '500 ms' loop end loop; end $$`),
    );
    expect(programCpuSeconds("postgres") - before).toBeGreaterThanOrEqual(0.1);
  });
});
