// grpcurl (pinned, built by tools/go-tools.sh) against the five running
// services, from an empty folder and with no -proto/-protoset flags: everything
// it knows comes from server reflection, so grpcurl users need no proto files.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DescService } from "@bufbuild/protobuf";
import { SERVICE_NAMES, type ServiceName } from "#kit/config.js";
import { MusicalService } from "#gen/outerpark/musical/v1/musical_pb.js";
import { ReservationService } from "#gen/outerpark/reservation/v1/reservation_pb.js";
import { PaymentService } from "#gen/outerpark/payment/v1/payment_pb.js";
import { NoticeService } from "#gen/outerpark/notice/v1/notice_pb.js";
import { CustomerCenterService } from "#gen/outerpark/customercenter/v1/customercenter_pb.js";
import { TestSystem } from "../support/system.js";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");
const grpcurlBinary = path.join(root, ".tools/bin/grpcurl");

const SERVICES: Record<ServiceName, DescService> = {
  musical: MusicalService,
  reservation: ReservationService,
  payment: PaymentService,
  notice: NoticeService,
  customercenter: CustomerCenterService,
};
const HEALTH = "grpc.health.v1.Health";
const REFLECTION = "grpc.reflection.v1.ServerReflection";

describe("grpcurl through server reflection, without proto files", () => {
  let system: TestSystem;
  let emptyDir: string;
  let manager: string;
  let alice: string;
  const calls = { count: 0 };

  /**
   * Runs `grpcurl [flags] <address of service> <command...>` (no shell) in an
   * empty folder; rejects with its stderr when it exits non-zero.
   */
  async function grpcurl(service: ServiceName, command: string[], flags: string[] = []): Promise<string> {
    calls.count++;
    const args = ["-plaintext", "-connect-timeout", "5", "-max-time", "20", ...flags, system.address(service), ...command];
    try {
      return (await run(grpcurlBinary, args, { cwd: emptyDir, timeout: 30_000 })).stdout;
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`grpcurl ${[...flags, ...command].join(" ")} failed: ${e.stderr || e.message}`);
    }
  }

  beforeAll(async () => {
    // A first build compiles grpcurl and its dependencies: minutes on two cores.
    await run(path.join(root, "tools/go-tools.sh"), ["grpcurl"], { timeout: 20 * 60_000 });
    emptyDir = mkdtempSync(path.join(tmpdir(), "grpcurl-"));
    system = await TestSystem.start();
    manager = await system.token("manager-1", "manager");
    alice = await system.token("alice");
  }, 25 * 60_000);

  afterAll(async () => {
    await system?.stop();
    if (emptyDir) rmSync(emptyDir, { recursive: true, force: true });
    console.log(`grpcurl: ${calls.count} invocations against ${SERVICE_NAMES.length} services`);
  });

  it("is the pinned version and runs where there is no proto file", async () => {
    const { stdout, stderr } = await run(grpcurlBinary, ["-version"], { timeout: 10_000 });
    expect(`${stdout}${stderr}`).toMatch(/grpcurl v1\.9\.3/);
    expect(readdirSync(emptyDir)).toEqual([]);
  });

  it("lists the musical service, health and reflection", async () => {
    const listed = (await grpcurl("musical", ["list"])).trim().split("\n");
    expect(listed).toContain("outerpark.musical.v1.MusicalService");
    expect(listed).toContain(HEALTH);
    expect(listed).toContain(REFLECTION);
  });

  it("describes RegisterMusical and its request message", async () => {
    const method = await grpcurl("musical", ["describe", "outerpark.musical.v1.MusicalService.RegisterMusical"]);
    expect(method).toContain("outerpark.musical.v1.MusicalService.RegisterMusical is a method:");
    expect(method).toMatch(
      /rpc RegisterMusical \( \.outerpark\.musical\.v1\.RegisterMusicalRequest \) returns \( \.outerpark\.musical\.v1\.RegisterMusicalResponse \);/,
    );

    const message = await grpcurl("musical", ["describe", "outerpark.musical.v1.RegisterMusicalRequest"]);
    expect(message).toContain("outerpark.musical.v1.RegisterMusicalRequest is a message:");
    for (const field of ["string musical_id = 1;", "string name = 2;", "int32 total_seats = 3;", "int64 seat_price = 4;"]) {
      expect(message).toContain(field);
    }
  });

  it("registers a musical and reads it back as JSON", async () => {
    const registered = JSON.parse(
      await grpcurl(
        "musical",
        ["outerpark.musical.v1.MusicalService/RegisterMusical"],
        [
          "-H",
          `authorization: Bearer ${manager}`,
          "-d",
          JSON.stringify({ musical_id: "grpcurl-show", name: "Into the Woods", total_seats: 12, seat_price: "70000" }),
        ],
      ),
    );
    expect(registered.created).toBe(true);
    expect(registered.musical).toMatchObject({ musicalId: "grpcurl-show", name: "Into the Woods", totalSeats: 12, reservableSeats: 12 });

    const read = JSON.parse(
      await grpcurl(
        "musical",
        ["outerpark.musical.v1.MusicalService/GetMusical"],
        ["-H", `authorization: Bearer ${alice}`, "-d", '{"musical_id": "grpcurl-show"}'],
      ),
    );
    // protojson: int64 as a string, Timestamp as RFC 3339.
    expect(read.musical).toEqual({
      musicalId: "grpcurl-show",
      name: "Into the Woods",
      totalSeats: 12,
      reservableSeats: 12,
      seatPrice: "70000",
      registeredAt: registered.musical.registeredAt,
    });
    expect(new Date(read.musical.registeredAt).getTime()).toBeGreaterThan(Date.now() - 5 * 60_000);
  });

  it("shows a refused call's status and the field it names", async () => {
    const refused = grpcurl(
      "musical",
      ["outerpark.musical.v1.MusicalService/RegisterMusical"],
      ["-H", `authorization: Bearer ${manager}`, "-d", '{"name": "Zero Seats", "total_seats": 0, "seat_price": "1"}'],
    );
    await expect(refused).rejects.toThrow(/Code: InvalidArgument\s+Message: total_seats: must be at least 1/);
    const anonymous = grpcurl(
      "musical",
      ["outerpark.musical.v1.MusicalService/RegisterMusical"],
      ["-d", '{"name": "No Token", "total_seats": 1, "seat_price": "1"}'],
    );
    await expect(anonymous).rejects.toThrow(/Code: Unauthenticated/);
  });

  it.each(SERVICE_NAMES.map((name) => [name] as const))("%s: list and describe show its service and every RPC", async (name) => {
    const service = SERVICES[name];
    const listed = (await grpcurl(name, ["list"])).trim().split("\n");
    // Each process serves exactly its own API, plus health and reflection.
    expect(listed.filter((s) => s.startsWith("outerpark."))).toEqual([service.typeName]);
    expect(listed).toEqual(expect.arrayContaining([HEALTH, REFLECTION]));

    const described = await grpcurl(name, ["describe", service.typeName]);
    expect(described).toContain(`${service.typeName} is a service:`);
    for (const method of service.methods) {
      const streams = method.methodKind === "server_streaming" ? "stream " : "";
      expect(described).toContain(`rpc ${method.name} ( .${method.input.typeName} ) returns ( ${streams}.${method.output.typeName} );`);
    }
    expect(described.match(/^\s*rpc /gm)).toHaveLength(service.methods.length);
  });

  it.each(SERVICE_NAMES.map((name) => [name] as const))("%s: grpc.health.v1.Health/Check answers SERVING, without a token", async (name) => {
    const overall = JSON.parse(await grpcurl(name, [`${HEALTH}/Check`], ["-d", '{"service": ""}']));
    expect(overall).toEqual({ status: "SERVING" });
    const own = JSON.parse(await grpcurl(name, [`${HEALTH}/Check`], ["-d", JSON.stringify({ service: SERVICES[name].typeName })]));
    expect(own).toEqual({ status: "SERVING" });
  });
});
