import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import type { ProtoGrpcType as CustomerCenterProto } from "./grpc-types/customercenter.js";
import type { ProtoGrpcType as HealthProto } from "./grpc-types/health.js";
import type { ProtoGrpcType as MusicalProto } from "./grpc-types/musical.js";
import type { ProtoGrpcType as NoticeProto } from "./grpc-types/notice.js";
import type { ProtoGrpcType as PaymentProto } from "./grpc-types/payment.js";
import type { ProtoGrpcType as ReservationProto } from "./grpc-types/reservation.js";

/**
 * Independent gRPC clients (@grpc/grpc-js, protos loaded at run time) so the
 * tests exercise the wire contract, not our own generated code. Their types
 * come from proto-loader-gen-types (`make grpc-types`, same loader options).
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
const loaded = grpc.loadPackageDefinition(definition) as unknown as MusicalProto &
  ReservationProto &
  PaymentProto &
  NoticeProto &
  CustomerCenterProto &
  HealthProto;

export const SERVICE_CONSTRUCTORS = {
  musical: loaded.outerpark.musical.v1.MusicalService,
  reservation: loaded.outerpark.reservation.v1.ReservationService,
  payment: loaded.outerpark.payment.v1.PaymentService,
  notice: loaded.outerpark.notice.v1.NoticeService,
  customercenter: loaded.outerpark.customercenter.v1.CustomerCenterService,
  health: loaded.grpc.health.v1.Health,
} as const;

type Services = typeof SERVICE_CONSTRUCTORS;
export type GrpcService = keyof Services;
/** The generated grpc-js client of a service (e.g. MusicalServiceClient). */
type RawClient<S extends GrpcService> = InstanceType<Services[S]>;
type Definition<S extends GrpcService> = Services[S]["service"];

export type Rpc<Request, Response> = (request?: Request, token?: string, deadlineMs?: number) => Promise<Response>;

/** Methods whose client call returns a stream of responses. */
type StreamingMethod<C> = {
  [M in Exclude<keyof C, keyof grpc.Client>]: C[M] extends (...args: never[]) => grpc.ClientReadableStream<infer _Response> ? M : never;
}[Exclude<keyof C, keyof grpc.Client>];

/**
 * A service's unary methods: client name (registerMusical) → definition key (RegisterMusical). The index signature
 * every grpc.ServiceDefinition has is left out, and so are server streams (see openStream).
 */
type UnaryMethodKeys<S extends GrpcService> = {
  [
    K in keyof Definition<S> as K extends string
      ? string extends K
        ? never
        : Uncapitalize<K> extends StreamingMethod<RawClient<S>>
          ? never
          : Uncapitalize<K>
      : never
  ]: K;
};
export type UnaryMethod<S extends GrpcService> = keyof UnaryMethodKeys<S>;

type MethodDefinitionOf<S extends GrpcService, M extends UnaryMethod<S>> = UnaryMethodKeys<S>[M] extends infer K extends keyof Definition<S>
  ? Definition<S>[K]
  : never;
export type RequestOf<S extends GrpcService, M extends UnaryMethod<S>> =
  MethodDefinitionOf<S, M> extends protoLoader.MethodDefinition<infer Request, infer _Response, infer _DecodedRequest, infer _DecodedResponse>
    ? Request
    : never;
export type ResponseOf<S extends GrpcService, M extends UnaryMethod<S>> =
  MethodDefinitionOf<S, M> extends protoLoader.MethodDefinition<infer _Request, infer _Response, infer _DecodedRequest, infer Response>
    ? Present<Response>
    : never;

/**
 * A decoded message as the tests read it. With `defaults: true` an absent submessage decodes as null; tests read only
 * submessages they expect, and a missing one fails the test at run time as a `!` would, so null is left out.
 */
type Present<T> = T extends readonly (infer E)[] ? Present<E>[] : T extends object ? { [K in keyof T]: Present<NonNullable<T[K]>> } : T;

export type UnaryMethods<S extends GrpcService> = { [M in UnaryMethod<S>]: Rpc<RequestOf<S, M>, ResponseOf<S, M>> };

export type ServiceClient<S extends GrpcService> = UnaryMethods<S> & { close(): void; raw: RawClient<S> };

export interface GrpcError extends Error {
  code: grpc.status;
  details: string;
}

/** A promise-returning client for one service at one address. */
export function unaryClient<S extends GrpcService>(service: S, address: string): ServiceClient<S> {
  const Ctor = SERVICE_CONSTRUCTORS[service];
  const client = new Ctor(address, grpc.credentials.createInsecure()) as RawClient<S>; // TS does not narrow the constructor by S
  const methods: Record<string, Rpc<object, unknown>> = {};
  for (const [name, method] of Object.entries(Ctor.service)) {
    const lower = name[0]!.toLowerCase() + name.slice(1);
    if (method.responseStream) continue;
    methods[lower] = (request = {}, token, deadlineMs = 10_000) =>
      new Promise((resolve, reject) => {
        const metadata = new grpc.Metadata();
        if (token) metadata.set("authorization", `Bearer ${token}`);
        // What the client's generated method does, without looking it up by name.
        client.makeUnaryRequest(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          request,
          metadata,
          { deadline: Date.now() + deadlineMs },
          (error, response) => (error ? reject(error) : resolve(response)),
        );
      });
  }
  return Object.assign(methods as UnaryMethods<S>, { close: () => client.close(), raw: client });
}

/** A unary method looked up by its name, types erased: for tables of deliberately malformed requests. */
export function untypedMethod(client: object, method: string): Rpc<object, unknown> | undefined {
  return (client as Record<string, Rpc<object, unknown> | undefined>)[method];
}

type StreamRequest<F> = F extends (argument: infer Request, ...rest: never[]) => unknown ? Request : never;
type StreamResponse<F> = F extends (...args: never[]) => grpc.ClientReadableStream<infer Response> ? Present<Response> : never;

/** Opens a server stream (e.g. `openStream(customercenter.raw, "watchMyPage", …)`) and collects its messages until closed. */
export function openStream<C extends grpc.Client, M extends StreamingMethod<C> & keyof C>(
  client: C,
  method: M,
  request: StreamRequest<C[M]>,
  token: string,
) {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  const start = client[method] as (request: StreamRequest<C[M]>, metadata: grpc.Metadata) => grpc.ClientReadableStream<StreamResponse<C[M]>>;
  const call = start.call(client, request, metadata);
  const messages: StreamResponse<C[M]>[] = [];
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
