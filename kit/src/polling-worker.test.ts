import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "./logger.js";
import { PollingWorker } from "./polling-worker.js";

const logger = createLogger("polling-worker-test", "silent");

/** A pass that can be held open, to wake the worker while it runs. */
function gatedPasses() {
  const started: number[] = [];
  let release: (() => void) | undefined;
  return {
    started,
    pass: async () => {
      started.push(performance.now());
      if (started.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return 0; // idle: without a wake the worker would now sleep pollMs
    },
    releaseFirstPass: () => release?.(),
  };
}

async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe("PollingWorker", () => {
  let worker: PollingWorker | undefined;
  afterEach(async () => worker?.stop());

  it("starts the next pass at once when woken during a pass, instead of sleeping a whole poll interval", async () => {
    const passes = gatedPasses();
    worker = new PollingWorker({ name: "test", logger, pollMs: 5_000, pass: passes.pass });
    worker.start();
    await until(() => passes.started.length === 1);
    worker.wake(); // work was committed while the pass ran
    const released = performance.now();
    passes.releaseFirstPass();
    await until(() => passes.started.length === 2, 1_000);
    expect(passes.started[1]! - released).toBeLessThan(500);
  });

  it("sleeps the poll interval after an idle pass when nobody wakes it", async () => {
    let passes = 0;
    worker = new PollingWorker({ name: "test", logger, pollMs: 1_500, pass: async () => (passes++, 0) });
    worker.start();
    await until(() => passes === 1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(passes).toBe(1);
    await until(() => passes === 2, 3_000);
  });

  it("a wake while sleeping cuts the sleep short", async () => {
    let passes = 0;
    worker = new PollingWorker({ name: "test", logger, pollMs: 5_000, pass: async () => (passes++, 0) });
    worker.start();
    await until(() => passes === 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    worker.wake();
    await until(() => passes === 2, 500);
  });

  it("without passSize, a pass that handled anything goes again at once; only an idle pass sleeps", async () => {
    const handled = [2, 1, 0];
    const started: number[] = [];
    worker = new PollingWorker({
      name: "test",
      logger,
      pollMs: 5_000,
      pass: async () => (started.push(performance.now()), handled[started.length - 1] ?? 0),
    });
    worker.start();
    await until(() => started.length === 3, 500);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(started).toHaveLength(3);
  });

  it("with passSize, a pass that handled fewer sleeps instead of probing again at once; a full pass goes again at once", async () => {
    const handled = [3, 10, 10, 2];
    const started: number[] = [];
    worker = new PollingWorker({
      name: "test",
      logger,
      pollMs: 1_000,
      passSize: 10,
      pass: async () => (started.push(performance.now()), handled[started.length - 1] ?? 0),
    });
    worker.start();
    await until(() => started.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(started).toHaveLength(1); // 3 of 10: everything due was taken
    worker.wake();
    await until(() => started.length === 4, 500); // 10, 10 (full: at once), then 2
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(started).toHaveLength(4);
  });

  it("stop() during a long sleep returns promptly", async () => {
    worker = new PollingWorker({ name: "test", logger, pollMs: 60_000, pass: async () => 0 });
    worker.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const t0 = performance.now();
    await worker.stop();
    expect(performance.now() - t0).toBeLessThan(500);
    worker = undefined;
  });
});
