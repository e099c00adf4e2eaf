import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { Supervisor } from "./supervisor.js";
import { processAlive as alive } from "../test/support/processes.js";

/** A logger whose lines the test can read. */
function capturingLogger() {
  const lines: { msg: string; process?: string; restartInMs?: number; signal?: string }[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { logger: pino({ level: "info" }, sink), lines };
}

async function until<T>(value: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = value();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// A real process that runs until it is killed.
const sleeper = { command: process.execPath, args: ["-e", "setInterval(() => {}, 1000)"] };

describe("Supervisor (make up's process keeper)", () => {
  let supervisor: Supervisor | undefined;
  afterEach(async () => supervisor?.stop());

  it("restarts a process killed with SIGKILL, says so in the log, and leaves the others running", async () => {
    const { logger, lines } = capturingLogger();
    supervisor = new Supervisor({ logger, initialBackoffMs: 100, stdio: "ignore" });
    supervisor.start({ name: "musical", ...sleeper });
    supervisor.start({ name: "reservation", ...sleeper });
    const musical = await until(() => supervisor!.pid("musical"));
    const reservation = await until(() => supervisor!.pid("reservation"));

    process.kill(musical, "SIGKILL");
    const restarted = await until(() => {
      const pid = supervisor!.pid("musical");
      return pid !== undefined && pid !== musical ? pid : undefined;
    });
    expect(alive(restarted)).toBe(true);
    expect(supervisor.pid("reservation")).toBe(reservation);
    expect(alive(reservation)).toBe(true);
    const exited = lines.find((l) => l.process === "musical" && l.msg.includes("exited; restarting"));
    expect(exited).toMatchObject({ signal: "SIGKILL", restartInMs: 100 });
  });

  it("backs off more with each crash in a row", async () => {
    const { logger, lines } = capturingLogger();
    supervisor = new Supervisor({ logger, initialBackoffMs: 50, maxBackoffMs: 150, stdio: "ignore" });
    supervisor.start({ name: "crasher", command: process.execPath, args: ["-e", "process.exit(3)"] });
    await until(() => lines.filter((l) => l.msg.includes("exited; restarting")).length >= 4, 10_000);
    const delays = lines.filter((l) => l.msg.includes("exited; restarting")).map((l) => l.restartInMs);
    expect(delays.slice(0, 4)).toEqual([50, 100, 150, 150]);
  });

  it("stop() ends every process and restarts none", async () => {
    const { logger, lines } = capturingLogger();
    supervisor = new Supervisor({ logger, initialBackoffMs: 50, stdio: "ignore" });
    supervisor.start({ name: "a", ...sleeper });
    supervisor.start({ name: "b", ...sleeper });
    const pids = [await until(() => supervisor!.pid("a")), await until(() => supervisor!.pid("b"))];
    await supervisor.stop();
    expect(pids.map(alive)).toEqual([false, false]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(supervisor.pid("a")).toBeUndefined();
    expect(lines.filter((l) => l.msg.includes("restarting"))).toEqual([]);
    supervisor = undefined;
  });
});
