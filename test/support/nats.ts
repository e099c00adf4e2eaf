import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { findNatsServer } from "../../tools/infra.js";
import { freePort, portOpen } from "./ports.js";
import { waitFor } from "./system.js";

/** A nats-server of the test's own, so it can be restarted. */
export class RestartableNats {
  #process: ChildProcess | undefined;
  private constructor(
    private readonly binary: string,
    private readonly port: number,
    private readonly storeDir: string,
  ) {}

  static async start(): Promise<RestartableNats> {
    const nats = new RestartableNats(await findNatsServer(), await freePort(), mkdtempSync(path.join(os.tmpdir(), "outerpark-test-nats-")));
    await nats.#spawn();
    return nats;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async #spawn(): Promise<void> {
    this.#process = spawn(this.binary, ["-js", "-sd", this.storeDir, "-a", "127.0.0.1", "-p", String(this.port)], { stdio: "ignore" });
    await waitFor(() => portOpen(this.port), 15_000, "nats-server");
  }

  async restart(): Promise<void> {
    await this.pause();
    await this.resume();
  }

  /** Stops the server, keeping its data, until resume(). */
  async pause(): Promise<void> {
    await this.#kill("SIGTERM");
  }

  async resume(): Promise<void> {
    await this.#spawn();
  }

  async stop(): Promise<void> {
    await this.#kill("SIGTERM");
    rmSync(this.storeDir, { recursive: true, force: true });
  }

  async #kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.#process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
  }
}
