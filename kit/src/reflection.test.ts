import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { create, createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerCenterService } from "#gen/outerpark/customercenter/v1/customercenter_pb.js";
import { MusicalService } from "#gen/outerpark/musical/v1/musical_pb.js";
import { HealthMonitor, registerHealth } from "./health.js";
import { registerReflection } from "./reflection.js";
import { startConnectServer as startServer } from "../../test/support/connect-server.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const protoRoot = `${repoRoot}proto`;
const grpcurlPath = `${repoRoot}.tools/bin/grpcurl`;
const hasGrpcurl = existsSync(grpcurlPath);

const MUSICAL_FILE = "outerpark/musical/v1/musical.proto";
const TIMESTAMP_FILE = "google/protobuf/timestamp.proto";
const EXPECTED_SERVICES = [
  "grpc.health.v1.Health",
  "grpc.reflection.v1.ServerReflection",
  "grpc.reflection.v1alpha.ServerReflection",
  "outerpark.customercenter.v1.CustomerCenterService",
  "outerpark.musical.v1.MusicalService",
];

/** Fields as grpc-js + proto-loader (keepCase off, oneofs on) present them. */
type ReflectionRequest =
  | { fileByFilename: string }
  | { fileContainingSymbol: string }
  | { fileContainingExtension: { containingType: string; extensionNumber: number } }
  | { allExtensionNumbersOfType: string }
  | { listServices: string };
interface ReflectionResponse {
  validHost: string;
  originalRequest: Record<string, unknown>;
  messageResponse: string;
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  allExtensionNumbersResponse?: { baseTypeName: string; extensionNumber: number[] };
  listServicesResponse?: { service: { name: string }[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}
type ReflectionClient = grpc.Client & {
  serverReflectionInfo(): grpc.ClientDuplexStream<ReflectionRequest & { host?: string }, ReflectionResponse>;
};

/** An independent client: grpc-js with the .proto loaded by proto-loader, not the protobuf-es code under test. */
function reflectionClient(address: string, version: "v1" | "v1alpha"): ReflectionClient {
  const definition = protoLoader.loadSync(`grpc/reflection/${version}/reflection.proto`, {
    includeDirs: [protoRoot],
    defaults: true,
    oneofs: true,
  });
  const reflection = (grpc.loadPackageDefinition(definition).grpc as grpc.GrpcObject).reflection as grpc.GrpcObject;
  const ServerReflection = (reflection[version] as grpc.GrpcObject).ServerReflection as grpc.ServiceClientConstructor;
  return new ServerReflection(address, grpc.credentials.createInsecure()) as unknown as ReflectionClient;
}

/** One bidi stream; each question waits for its answer, as grpcurl does. */
function openSession(client: ReflectionClient) {
  const call = client.serverReflectionInfo();
  const answers = call[Symbol.asyncIterator]() as AsyncIterator<ReflectionResponse>;
  return {
    async ask(request: ReflectionRequest & { host?: string }): Promise<ReflectionResponse> {
      call.write(request);
      const answer = await answers.next();
      if (answer.done) throw new Error("reflection stream ended");
      return answer.value;
    },
    close() {
      call.end();
    },
  };
}

function decodeFiles(response: ReflectionResponse): FileDescriptorProto[] {
  expect(response.messageResponse).toBe("fileDescriptorResponse");
  return response.fileDescriptorResponse!.fileDescriptorProto.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
}

/**
 * Assembles the answer as a client would. The server sends the requested file first (grpc-go's
 * order), while a FileDescriptorSet needs imports first; a missing import throws.
 */
function registryOf(files: FileDescriptorProto[]) {
  const byName = new Map(files.map((file) => [file.name, file]));
  const ordered = new Set<FileDescriptorProto>();
  const visit = (file: FileDescriptorProto) => {
    if (ordered.has(file)) return;
    for (const name of file.dependency) {
      const dependency = byName.get(name);
      if (dependency === undefined) throw new Error(`${file.name} imports ${name}, which was not sent`);
      visit(dependency);
    }
    ordered.add(file);
  };
  files.forEach(visit);
  return createFileRegistry(create(FileDescriptorSetSchema, { file: [...ordered] }));
}

describe("registerReflection over real HTTP/2", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  const clients: grpc.Client[] = [];

  const session = (version: "v1" | "v1alpha" = "v1") => {
    const client = reflectionClient(server.address, version);
    clients.push(client);
    return openSession(client);
  };

  beforeAll(async () => {
    const monitor = new HealthMonitor({ probes: {} });
    await monitor.refresh();
    server = await startServer((router) => {
      router.service(MusicalService, {
        registerMusical: (request) => ({
          musical: { musicalId: "m-1", name: request.name, totalSeats: request.totalSeats },
          created: true,
        }),
      });
      router.service(CustomerCenterService, {});
      registerHealth(router, monitor, [MusicalService.typeName, CustomerCenterService.typeName]);
      registerReflection(router, [MusicalService, CustomerCenterService]);
    });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await server.close();
  });

  it("lists exactly the given services plus health and both reflection versions", async () => {
    const reflection = session();
    const response = await reflection.ask({ listServices: "*" });
    expect(response.messageResponse).toBe("listServicesResponse");
    expect(response.listServicesResponse!.service.map((service) => service.name)).toEqual(EXPECTED_SERVICES);
    reflection.close();
  });

  it("describes a service with its file and transitive imports, enough to rebuild the method types", async () => {
    const reflection = session();
    const response = await reflection.ask({ fileContainingSymbol: "outerpark.musical.v1.MusicalService", host: "h" });
    expect(response.validHost).toBe("h");
    expect(response.originalRequest).toMatchObject({ fileContainingSymbol: "outerpark.musical.v1.MusicalService" });

    const files = decodeFiles(response);
    expect(files.map((file) => file.name)).toEqual([MUSICAL_FILE, TIMESTAMP_FILE]);
    const registry = registryOf(files);
    const registerMusical = registry.getService("outerpark.musical.v1.MusicalService")?.methods.find((method) => method.name === "RegisterMusical");
    expect(registerMusical?.input.typeName).toBe("outerpark.musical.v1.RegisterMusicalRequest");
    expect(registerMusical?.output.typeName).toBe("outerpark.musical.v1.RegisterMusicalResponse");
    const registeredAt = registry.getMessage("outerpark.musical.v1.Musical")?.field.registeredAt;
    expect(registeredAt?.message?.typeName).toBe("google.protobuf.Timestamp");
    reflection.close();
  });

  it("includes imports of imports", async () => {
    const reflection = session();
    const files = decodeFiles(await reflection.ask({ fileContainingSymbol: "outerpark.customercenter.v1.CustomerCenterService" }));
    expect(files[0]!.name).toBe("outerpark/customercenter/v1/customercenter.proto");
    expect(new Set(files.map((file) => file.name))).toEqual(
      new Set([
        "outerpark/customercenter/v1/customercenter.proto",
        "outerpark/notice/v1/notice.proto",
        "outerpark/reservation/v1/reservation.proto",
        TIMESTAMP_FILE,
      ]),
    );
    const registry = registryOf(files);
    expect(registry.getService("outerpark.customercenter.v1.CustomerCenterService")).toBeDefined();
    reflection.close();
  });

  it("finds the file of methods, messages, nested types, fields, enums and enum values", async () => {
    const reflection = session();
    const fileOf = async (symbol: string) => decodeFiles(await reflection.ask({ fileContainingSymbol: symbol }))[0]!.name;
    expect(await fileOf("outerpark.musical.v1.MusicalService.RegisterMusical")).toBe(MUSICAL_FILE);
    expect(await fileOf("outerpark.musical.v1.RegisterMusicalRequest")).toBe(MUSICAL_FILE);
    expect(await fileOf("outerpark.musical.v1.Musical.registered_at")).toBe(MUSICAL_FILE);
    expect(await fileOf("outerpark.musical.v1.HoldStatus")).toBe(MUSICAL_FILE);
    expect(await fileOf("outerpark.musical.v1.HOLD_STATUS_HELD")).toBe(MUSICAL_FILE);
    expect(await fileOf("google.protobuf.Timestamp")).toBe(TIMESTAMP_FILE);
    expect(await fileOf("grpc.health.v1.HealthCheckResponse.ServingStatus")).toBe("grpc/health/v1/health.proto");
    expect(await fileOf("grpc.health.v1.HealthListResponse.StatusesEntry")).toBe("grpc/health/v1/health.proto");
    expect(await fileOf("grpc.reflection.v1alpha.ServerReflection")).toBe("grpc/reflection/v1alpha/reflection.proto");
    reflection.close();
  });

  it("serves a file by name with its imports", async () => {
    const reflection = session();
    const files = decodeFiles(await reflection.ask({ fileByFilename: MUSICAL_FILE }));
    expect(files.map((file) => file.name)).toEqual([MUSICAL_FILE, TIMESTAMP_FILE]);
    expect(files[0]!.service.map((service) => service.name)).toEqual(["MusicalService"]);
    reflection.close();
  });

  it("answers unknown symbols and files with error_response NOT_FOUND and keeps the stream open", async () => {
    const reflection = session();
    const unknownSymbol = await reflection.ask({ fileContainingSymbol: "outerpark.musical.v1.NoSuchThing" });
    expect(unknownSymbol.messageResponse).toBe("errorResponse");
    expect(unknownSymbol.errorResponse).toMatchObject({ errorCode: 5 });
    const unknownFile = await reflection.ask({ fileByFilename: "outerpark/nothing.proto" });
    expect(unknownFile.errorResponse).toMatchObject({ errorCode: 5 });
    // The same stream still answers.
    expect(decodeFiles(await reflection.ask({ fileContainingSymbol: "outerpark.musical.v1.Musical" }))[0]!.name).toBe(MUSICAL_FILE);
    reflection.close();
  });

  it("answers extension questions: none are defined, so empty numbers or NOT_FOUND", async () => {
    const reflection = session();
    const numbers = await reflection.ask({ allExtensionNumbersOfType: "outerpark.musical.v1.Musical" });
    expect(numbers.messageResponse).toBe("allExtensionNumbersResponse");
    expect(numbers.allExtensionNumbersResponse).toEqual({
      baseTypeName: "outerpark.musical.v1.Musical",
      extensionNumber: [],
    });
    const unknownType = await reflection.ask({ allExtensionNumbersOfType: "outerpark.musical.v1.Nothing" });
    expect(unknownType.errorResponse).toMatchObject({ errorCode: 5 });
    const extension = await reflection.ask({
      fileContainingExtension: { containingType: "outerpark.musical.v1.Musical", extensionNumber: 1000 },
    });
    expect(extension.errorResponse).toMatchObject({ errorCode: 5 });
    reflection.close();
  });

  it("answers v1alpha the same way", async () => {
    const reflection = session("v1alpha");
    const listed = await reflection.ask({ listServices: "" });
    expect(listed.listServicesResponse!.service.map((service) => service.name)).toEqual(EXPECTED_SERVICES);
    const files = decodeFiles(await reflection.ask({ fileContainingSymbol: "outerpark.musical.v1.MusicalService" }));
    expect(files.map((file) => file.name)).toEqual([MUSICAL_FILE, TIMESTAMP_FILE]);
    const unknown = await reflection.ask({ fileContainingSymbol: "no.Such" });
    expect(unknown.errorResponse).toMatchObject({ errorCode: 5 });
    reflection.close();
  });

  // Runs only where tools/go-tools.sh has built grpcurl into .tools/bin.
  it.skipIf(!hasGrpcurl)("lets grpcurl list, describe and call the services", async () => {
    const grpcurl = async (...args: string[]) => (await promisify(execFile)(grpcurlPath, ["-plaintext", ...args], { timeout: 20_000 })).stdout;

    expect((await grpcurl(server.address, "list")).trim().split("\n")).toEqual(EXPECTED_SERVICES);

    const described = await grpcurl(server.address, "describe", "outerpark.musical.v1.MusicalService");
    expect(described).toContain("outerpark.musical.v1.MusicalService is a service:");
    expect(described).toContain(
      "rpc RegisterMusical ( .outerpark.musical.v1.RegisterMusicalRequest ) returns ( .outerpark.musical.v1.RegisterMusicalResponse );",
    );
    expect(await grpcurl(server.address, "describe", "outerpark.musical.v1.Musical")).toContain(".google.protobuf.Timestamp registered_at = 6;");

    // Every listed service, the reflection ones included, resolves with all its types.
    const everything = await grpcurl(server.address, "describe");
    for (const name of EXPECTED_SERVICES) expect(everything).toContain(`${name} is a service:`);

    expect(JSON.parse(await grpcurl(server.address, "grpc.health.v1.Health/Check"))).toEqual({ status: "SERVING" });
    const called = JSON.parse(
      await grpcurl("-d", JSON.stringify({ name: "Wicked", totalSeats: 100 }), server.address, "outerpark.musical.v1.MusicalService/RegisterMusical"),
    ) as unknown;
    expect(called).toEqual({ musical: { musicalId: "m-1", name: "Wicked", totalSeats: 100 }, created: true });
  });
});
