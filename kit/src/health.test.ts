import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MusicalService } from "#gen/outerpark/musical/v1/musical_pb.js";
import { HealthMonitor, registerHealth } from "./health.js";
import { startConnectServer as startServer } from "../../test/support/connect-server.js";

const protoRoot = fileURLToPath(new URL("../../proto", import.meta.url));
const MUSICAL = "outerpark.musical.v1.MusicalService";

interface CheckResponse {
  status: string;
}
type HealthClient = grpc.Client & {
  check(request: { service: string }, callback: grpc.requestCallback<CheckResponse>): grpc.ClientUnaryCall;
  list(request: object, callback: grpc.requestCallback<{ statuses: Record<string, CheckResponse> }>): grpc.ClientUnaryCall;
  watch(request: { service: string }): grpc.ClientReadableStream<CheckResponse>;
};

/** An independent client: grpc-js with the .proto loaded by proto-loader, not the protobuf-es code under test. */
function healthClient(address: string): HealthClient {
  const definition = protoLoader.loadSync("grpc/health/v1/health.proto", {
    includeDirs: [protoRoot],
    enums: String,
    defaults: true,
  });
  const v1 = (grpc.loadPackageDefinition(definition).grpc as grpc.GrpcObject).health as grpc.GrpcObject;
  const Health = (v1.v1 as grpc.GrpcObject).Health as grpc.ServiceClientConstructor;
  return new Health(address, grpc.credentials.createInsecure()) as unknown as HealthClient;
}

const check = (client: HealthClient, service: string) =>
  new Promise<string>((resolve, reject) => client.check({ service }, (error, response) => (error ? reject(error) : resolve(response!.status))));

const checkError = (client: HealthClient, service: string) =>
  check(client, service).then(
    (status) => {
      throw new Error(`expected an error, got ${status}`);
    },
    (error: grpc.ServiceError) => error,
  );

describe("registerHealth over real HTTP/2 with a grpc-js client", () => {
  let databaseDown: boolean;
  let monitor: HealthMonitor;
  let server: Awaited<ReturnType<typeof startServer>>;
  let client: HealthClient;

  beforeEach(async () => {
    databaseDown = false;
    monitor = new HealthMonitor({
      probes: {
        database: async () => {
          if (databaseDown) throw new Error("connection refused");
        },
        nats: async () => {},
      },
      intervalMs: 60_000, // the tests drive runs with refresh()
    });
    server = await startServer((router) => {
      router.service(MusicalService, {
        getMusical: (request) => ({ musical: { musicalId: request.musicalId, name: "Wicked" } }),
      });
      registerHealth(router, monitor, [MUSICAL]);
    });
    client = healthClient(server.address);
    await monitor.refresh();
  });

  afterEach(async () => {
    client.close();
    monitor.stop();
    await server.close();
  });

  it("answers SERVING for the server, a registered service and liveness", async () => {
    expect(await check(client, "")).toBe("SERVING");
    expect(await check(client, MUSICAL)).toBe("SERVING");
    expect(await check(client, "liveness")).toBe("SERVING");
  });

  it("answers NOT_FOUND for an unknown service", async () => {
    const error = await checkError(client, "outerpark.nothing.v1.NothingService");
    expect(error.code).toBe(grpc.status.NOT_FOUND);
  });

  it("is NOT_SERVING before the first probe run", async () => {
    const fresh = new HealthMonitor({ probes: { database: async () => {} } });
    expect(fresh.isServing()).toBe(false);
    expect(await fresh.refresh()).toBe(true);
  });

  it("flips readiness to NOT_SERVING while a probe fails and back when it recovers; liveness stays SERVING", async () => {
    databaseDown = true;
    expect(await monitor.refresh()).toBe(false);
    expect(await check(client, "")).toBe("NOT_SERVING");
    expect(await check(client, MUSICAL)).toBe("NOT_SERVING");
    expect(await check(client, "liveness")).toBe("SERVING");
    expect(monitor.results.database).toMatchObject({ ok: false, error: "connection refused" });
    expect(monitor.results.nats).toMatchObject({ ok: true });

    databaseDown = false;
    expect(await monitor.refresh()).toBe(true);
    expect(await check(client, "")).toBe("SERVING");
    expect(await check(client, MUSICAL)).toBe("SERVING");
  });

  it("lists every known service with its status", async () => {
    databaseDown = true;
    await monitor.refresh();
    const response = await new Promise<{ statuses: Record<string, CheckResponse> }>((resolve, reject) =>
      client.list({}, (error, value) => (error ? reject(error) : resolve(value!))),
    );
    expect(response.statuses).toEqual({
      "": { status: "NOT_SERVING" },
      [MUSICAL]: { status: "NOT_SERVING" },
      liveness: { status: "SERVING" },
    });
  });

  it("Watch streams the current status, then each change, and lets go when the client cancels", async () => {
    let subscribed = 0;
    const onChange = monitor.onChange.bind(monitor);
    vi.spyOn(monitor, "onChange").mockImplementation((listener) => {
      subscribed++;
      const unsubscribe = onChange(listener);
      return () => {
        subscribed--;
        unsubscribe();
      };
    });

    const call = client.watch({ service: MUSICAL });
    const updates = call[Symbol.asyncIterator]() as AsyncIterator<CheckResponse>;
    expect((await updates.next()).value).toEqual({ status: "SERVING" });

    databaseDown = true;
    await monitor.refresh();
    expect((await updates.next()).value).toEqual({ status: "NOT_SERVING" });

    // A run with the same verdict sends nothing; the recovery is the next message.
    await monitor.refresh();
    databaseDown = false;
    await monitor.refresh();
    expect((await updates.next()).value).toEqual({ status: "SERVING" });

    call.cancel();
    await expect(updates.next()).rejects.toMatchObject({ code: grpc.status.CANCELLED });
    await vi.waitFor(() => expect(subscribed).toBe(0));
  });

  it("Watch of an unknown service reports SERVICE_UNKNOWN and keeps the call open", async () => {
    const call = client.watch({ service: "outerpark.nothing.v1.NothingService" });
    const updates = call[Symbol.asyncIterator]() as AsyncIterator<CheckResponse>;
    expect((await updates.next()).value).toEqual({ status: "SERVICE_UNKNOWN" });
    const ended = vi.fn();
    call.on("status", ended);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ended).not.toHaveBeenCalled();
    call.cancel();
    await expect(updates.next()).rejects.toMatchObject({ code: grpc.status.CANCELLED });
  });

  it("markShuttingDown turns readiness NOT_SERVING for checks and watchers, liveness stays SERVING", async () => {
    const call = client.watch({ service: "" });
    const updates = call[Symbol.asyncIterator]() as AsyncIterator<CheckResponse>;
    expect((await updates.next()).value).toEqual({ status: "SERVING" });

    monitor.markShuttingDown();
    expect((await updates.next()).value).toEqual({ status: "NOT_SERVING" });
    expect(await check(client, "")).toBe("NOT_SERVING");
    expect(await check(client, MUSICAL)).toBe("NOT_SERVING");
    expect(await check(client, "liveness")).toBe("SERVING");

    // Passing probes do not bring a shutting-down instance back.
    expect(await monitor.refresh()).toBe(false);
    call.cancel();
    await updates.next().catch(() => undefined);
  });
});

describe("HealthMonitor", () => {
  it("fails a probe that does not settle within the timeout", async () => {
    const monitor = new HealthMonitor({
      probes: { hanging: () => new Promise<void>(() => {}) },
      timeoutMs: 50,
    });
    expect(await monitor.refresh()).toBe(false);
    expect(monitor.results.hanging).toMatchObject({ ok: false, error: "timed out after 50 ms" });
  });

  it("counts a synchronously throwing probe as failed", async () => {
    const monitor = new HealthMonitor({
      probes: {
        broken: () => {
          throw new Error("no pool");
        },
      },
    });
    expect(await monitor.refresh()).toBe(false);
    expect(monitor.results.broken).toMatchObject({ ok: false, error: "no pool" });
  });

  it("runs periodically once started, never overlapping, and stops", async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const monitor = new HealthMonitor({
      probes: {
        slow: async () => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          runs++;
          await new Promise((resolve) => setTimeout(resolve, 30));
          running--;
        },
      },
      intervalMs: 5,
    });
    monitor.start();
    // On-demand runs during a periodic run join it instead of starting another.
    const joined = [monitor.refresh(), monitor.refresh()];
    expect(joined[0]).toBe(joined[1]);
    await Promise.all(joined);
    await vi.waitFor(() => expect(runs).toBeGreaterThanOrEqual(3), { timeout: 2000 });
    monitor.stop();
    await vi.waitFor(() => expect(running).toBe(0));
    const runsAtStop = runs;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(runs).toBe(runsAtStop);
    expect(maxRunning).toBe(1);
    expect(monitor.isServing()).toBe(true);
  });

  it("notifies listeners only when the verdict changes", async () => {
    let up = true;
    const monitor = new HealthMonitor({
      probes: {
        database: async () => {
          if (!up) throw new Error("down");
        },
      },
    });
    const changes: boolean[] = [];
    const unsubscribe = monitor.onChange((serving) => changes.push(serving));
    await monitor.refresh();
    await monitor.refresh();
    up = false;
    await monitor.refresh();
    up = true;
    await monitor.refresh();
    monitor.markShuttingDown();
    monitor.markShuttingDown();
    unsubscribe();
    expect(changes).toEqual([true, false, true, false]);
  });
});
