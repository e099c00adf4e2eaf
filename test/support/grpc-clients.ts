import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

/**
 * Independent gRPC clients (@grpc/grpc-js, protos loaded at run time) so the
 * tests exercise the wire contract, not our own generated code.
 */
const root = path.resolve(import.meta.dirname, "../..");
const definition = protoLoader.loadSync(
  [
    "outerpark/musical/v1/musical.proto",
    "outerpark/reservation/v1/reservation.proto",
    "outerpark/payment/v1/payment.proto",
    "outerpark/notice/v1/notice.proto",
    "outerpark/customercenter/v1/customercenter.proto",
    "grpc/health/v1/health.proto",
  ],
  { includeDirs: [path.join(root, "proto")], keepCase: false, longs: String, enums: String, defaults: true, oneofs: true },
);
const loaded = grpc.loadPackageDefinition(definition) as any;

export const SERVICE_CONSTRUCTORS = {
  musical: loaded.outerpark.musical.v1.MusicalService,
  reservation: loaded.outerpark.reservation.v1.ReservationService,
  payment: loaded.outerpark.payment.v1.PaymentService,
  notice: loaded.outerpark.notice.v1.NoticeService,
  customercenter: loaded.outerpark.customercenter.v1.CustomerCenterService,
  health: loaded.grpc.health.v1.Health,
} as const;

export type Rpc = (request?: object, token?: string, deadlineMs?: number) => Promise<any>;

export interface GrpcError extends Error {
  code: grpc.status;
  details: string;
}

/** A promise-returning client for one service at one address. */
export function unaryClient(service: keyof typeof SERVICE_CONSTRUCTORS, address: string): Record<string, Rpc> & { close(): void; raw: grpc.Client } {
  const Ctor = SERVICE_CONSTRUCTORS[service];
  const client: grpc.Client & Record<string, Function> = new Ctor(address, grpc.credentials.createInsecure());
  const methods: Record<string, Rpc> = {};
  for (const name of Object.keys(Ctor.service)) {
    const lower = name[0]!.toLowerCase() + name.slice(1);
    if (Ctor.service[name].responseStream) continue;
    methods[lower] = (request = {}, token, deadlineMs = 10_000) =>
      new Promise((resolve, reject) => {
        const metadata = new grpc.Metadata();
        if (token) metadata.set("authorization", `Bearer ${token}`);
        client[name]!(request, metadata, { deadline: Date.now() + deadlineMs }, (error: GrpcError | null, response: unknown) =>
          error ? reject(error) : resolve(response),
        );
      });
  }
  return Object.assign(methods, { close: () => client.close(), raw: client });
}

/** Opens a server stream and collects its messages until closed. */
export function openStream(client: grpc.Client, method: string, request: object, token: string) {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  const call = (client as any)[method](request, metadata) as grpc.ClientReadableStream<any>;
  const messages: any[] = [];
  let error: GrpcError | undefined;
  call.on("data", (m) => messages.push(m));
  call.on("error", (e: GrpcError) => (error = e));
  // grpc-js emits "status" exactly once, when the stream is really over (OK or an error).
  const ended = new Promise<grpc.StatusObject>((resolve) => call.on("status", resolve));
  return {
    messages,
    get error() {
      return error;
    },
    ended,
    cancel: () => call.cancel(),
  };
}

/** Expects a call to fail with the given gRPC status. */
export async function expectStatus(call: Promise<unknown>, code: grpc.status): Promise<GrpcError> {
  try {
    await call;
  } catch (error) {
    const e = error as GrpcError;
    // Connect percent-encodes grpc-message with encodeURIComponent; grpc-js decodes with decodeURI, leaving "%3A" etc.
    e.details = safeDecode(e.details);
    if (e.code !== code) throw new Error(`expected ${grpc.status[code]}, got ${grpc.status[e.code]}: ${e.details}`);
    return e;
  }
  throw new Error(`expected ${grpc.status[code]}, but the call succeeded`);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export { grpc };
