import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { findNatsServer } from "../../tools/infra.js";
import { freePort, portOpen } from "./ports.js";
import { waitFor } from "./system.js";

/** Building nats-server from source on a 2-core machine with a cold Go cache. */
const PINNED_BUILD_TIMEOUT_MS = 20 * 60_000;

/** A nats-server of the test's own, so it can be restarted. */
export class RestartableNats {
  #process: ChildProcess | undefined;
  private constructor(
    private readonly binary: string,
    private readonly port: number,
    private readonly storeDir: string,
  ) {}

  static async start(binary?: string): Promise<RestartableNats> {
    const nats = new RestartableNats(
      binary ?? (await findNatsServer()),
      await freePort(),
      mkdtempSync(path.join(os.tmpdir(), "outerpark-test-nats-")),
    );
    await nats.#spawn();
    return nats;
  }

  /**
   * The project's pinned, current nats-server (built into .tools/bin when missing, as a clean clone has it),
   * never the machine's: a test of behaviour that differs between server versions must not fall back to an old one.
   */
  static async startPinned(): Promise<RestartableNats> {
    const root = path.resolve(import.meta.dirname, "../..");
    await promisify(execFile)("bash", [path.join(root, "tools/go-tools.sh"), "nats-server"], { timeout: PINNED_BUILD_TIMEOUT_MS });
    return RestartableNats.start(path.join(root, ".tools/bin/nats-server"));
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
