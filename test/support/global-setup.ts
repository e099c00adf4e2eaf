import { execFileSync } from "node:child_process";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { provideInfrastructure, type Infrastructure } from "../../tools/infra.js";

const root = path.resolve(import.meta.dirname, "../..");
let infra: Infrastructure | undefined;

/**
 * Once per run: compile the services (tests start them as real processes) and
 * build the web app (`make web`: the browser test and `make up` serve it), and
 * find PostgreSQL and NATS — the machine's own when they run, else our own.
 */
export async function setup(project: TestProject): Promise<void> {
  execFileSync(path.join(root, "node_modules/.bin/tsc"), ["-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
  execFileSync("make", ["--no-print-directory", "web"], { cwd: root, stdio: "inherit" });
  infra = await provideInfrastructure({
    dataDir: path.join(root, ".data/test-infra"),
    preferExisting: true,
    ...(process.env.OUTERPARK_TEST_POSTGRES_URL ? { postgresUrl: process.env.OUTERPARK_TEST_POSTGRES_URL } : {}),
    ...(process.env.OUTERPARK_TEST_NATS_URL ? { natsUrl: process.env.OUTERPARK_TEST_NATS_URL } : {}),
  });
  project.provide("infra", { postgresUrl: infra.postgresUrl, natsUrl: infra.natsUrl });
}

export async function teardown(): Promise<void> {
  await infra?.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    infra: { postgresUrl: string; natsUrl: string };
  }
}
