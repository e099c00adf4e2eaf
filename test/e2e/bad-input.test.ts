import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DescService } from "@bufbuild/protobuf";
import { TestSystem, waitFor } from "../support/system.js";
import { expectStatus, grpc, untypedMethod, type ServiceClient } from "../support/grpc-clients.js";
import { envelope, rawConnect, rawGrpc, wire, type RawAnswer } from "../support/raw-rpc.js";
import { EVENT_DOMAINS } from "#kit/events.js";
import { SERVICE_NAMES, type ServiceName } from "#kit/config.js";
import { MusicalService } from "#gen/outerpark/musical/v1/musical_pb.js";
import { ReservationService } from "#gen/outerpark/reservation/v1/reservation_pb.js";
import { PaymentService } from "#gen/outerpark/payment/v1/payment_pb.js";
import { NoticeService } from "#gen/outerpark/notice/v1/notice_pb.js";
import { CustomerCenterService } from "#gen/outerpark/customercenter/v1/customercenter_pb.js";

/**
 * Every kind of bad input, sent over gRPC to the five running services. Each
 * row must be refused with INVALID_ARGUMENT naming the proto field, or with
 * NOT_FOUND, and the whole table must leave every table and stream untouched.
 */

type Caller = "alice" | "bob" | "manager" | "service";

/** Real page tokens, known only once the system has data (see beforeAll). */
interface PageTokens {
  musicals: string;
  aliceReservations: string;
  alicePayments: string;
  aliceNotifications: string;
  aliceMyPage: string;
}

type Expected =
  | { code: grpc.status.INVALID_ARGUMENT; field: string }
  /** A request that cannot even be decoded has no field to name; the message says why it could not be. */
  | { code: grpc.status.INVALID_ARGUMENT; undecodable: string }
  | { code: grpc.status.NOT_FOUND; mentions: string };

interface BadInput {
  service: ServiceName;
  /** The client method (lower camel case) and the RPC it calls. */
  method: string;
  caller: Caller;
  why: string;
  request: Record<string, unknown> | ((tokens: PageTokens) => Record<string, unknown>);
  expected: Expected;
}

const invalid = (field: string): Expected => ({ code: grpc.status.INVALID_ARGUMENT, field });
const notFound = (mentions: string): Expected => ({ code: grpc.status.NOT_FOUND, mentions });
const undecodable = (why: string): Expected => ({ code: grpc.status.INVALID_ARGUMENT, undecodable: why });

const UNKNOWN_UUID = "0b7c5a0e-9d1f-4c61-8a55-3f2e1d0c9b8a";
const SHOW = "bad-input-show"; // registered in beforeAll, so only the bad field can explain a refusal

/** Changes one character in the middle of the token's body or signature (and only that one). */
function tamper(token: string, part: "body" | "signature"): string {
  const dot = token.indexOf(".");
  const at = part === "body" ? Math.floor(dot / 2) : dot + 1 + Math.floor((token.length - dot - 1) / 2);
  const flipped = token[at] === "A" ? "B" : "A";
  return token.slice(0, at) + flipped + token.slice(at + 1);
}

/** A cursor in the tokens' own format, but signed with a made-up signature. */
const forgedCursor = (scope: string) =>
  `${Buffer.from(JSON.stringify(["1970-01-01T00:00:00.000Z", "x", scope])).toString("base64url")}.${"A".repeat(43)}`;

// Every row varies exactly one field of an otherwise valid request.
const registration = { musicalId: "", name: "Les Misérables", totalSeats: 10, seatPrice: "80000" };
const reserveSeats = { reservationId: UNKNOWN_UUID, musicalId: SHOW, seats: 1, customerId: "bob" };
let keyCounter = 0;
/** A fresh idempotency key per row, so a missing rule cannot hide behind an earlier reservation. */
const placement = (overrides: Record<string, unknown>) => ({ musicalId: SHOW, seats: 1, idempotencyKey: `bad-input-${++keyCounter}`, ...overrides });

const badMusicalIds: [string, string][] = [
  ["a space", "has a space"],
  ["a/b", "has a slash"],
  ["../../etc/passwd", "is a path"],
  ["x".repeat(65), "is 65 characters"],
  ["-dash-first", "starts with a dash"],
  ["show\n", "ends with a newline"],
  ["뮤지컬", "is not ASCII"],
  ["show\u0000", "contains NUL"],
];
const badSeatCounts: [number, string][] = [
  [0, "zero"],
  [-1, "negative"],
  [21, "one over the limit of 20"],
  [2147483647, "int32 max"],
  [-2147483648, "int32 min"],
];
const badPageSizes: [number, string][] = [
  [-1, "negative"],
  [101, "over 100"],
  [2147483647, "int32 max"],
];
const garbageTokens: [string, string][] = [
  ["garbage", "random garbage"],
  ["a.b.c", "three segments"],
  [".", "empty segments"],
  ["x".repeat(513), "over 512 characters"],
];

/** The paging rows shared by the four listings. */
function pagingRows({
  service,
  method,
  own,
  foreign,
  scope,
  perCustomer,
}: {
  service: BadInput["service"];
  method: string;
  /** A real next_page_token of this listing, for alice. */
  own: (t: PageTokens) => string;
  /** A real token of a different listing. */
  foreign: { name: string; token: (t: PageTokens) => string };
  /** The scope this listing's cursors carry. */
  scope: string;
  /** Whether a token must also be refused to another customer. */
  perCustomer: boolean;
}): BadInput[] {
  return [
    ...badPageSizes.map(([pageSize, why]): BadInput => ({
      service,
      method,
      caller: "alice",
      why: `page_size ${why}`,
      request: { pageSize },
      expected: invalid("page_size"),
    })),
    {
      service,
      method,
      caller: "alice",
      why: "page_token body tampered",
      request: (t) => ({ pageToken: tamper(own(t), "body") }),
      expected: invalid("page_token"),
    },
    {
      service,
      method,
      caller: "alice",
      why: "page_token signature tampered",
      request: (t) => ({ pageToken: tamper(own(t), "signature") }),
      expected: invalid("page_token"),
    },
    {
      service,
      method,
      caller: "alice",
      why: "page_token signature cut off",
      request: (t) => ({ pageToken: own(t).split(".")[0] + "." }),
      expected: invalid("page_token"),
    },
    {
      service,
      method,
      caller: "alice",
      why: `page_token from ${foreign.name}`,
      request: (t) => ({ pageToken: foreign.token(t) }),
      expected: invalid("page_token"),
    },
    {
      service,
      method,
      caller: "alice",
      why: "page_token forged without the key",
      request: { pageToken: forgedCursor(scope) },
      expected: invalid("page_token"),
    },
    ...garbageTokens.map(([pageToken, why]): BadInput => ({
      service,
      method,
      caller: "alice",
      why: `page_token ${why}`,
      request: { pageToken },
      expected: invalid("page_token"),
    })),
    ...(perCustomer
      ? [
          {
            service,
            method,
            caller: "bob",
            why: "page_token of another customer",
            request: (t: PageTokens) => ({ pageToken: own(t) }),
            expected: invalid("page_token"),
          } satisfies BadInput,
        ]
      : []),
  ];
}

const cases: BadInput[] = [
  // musical.RegisterMusical
  {
    service: "musical",
    method: "registerMusical",
    caller: "manager",
    why: "musical_id whitespace only",
    request: { ...registration, musicalId: " " },
    expected: invalid("musical_id"),
  },
  {
    service: "musical",
    method: "registerMusical",
    caller: "manager",
    why: "name empty",
    request: { ...registration, name: "" },
    expected: invalid("name"),
  },
  {
    service: "musical",
    method: "registerMusical",
    caller: "manager",
    why: "name whitespace",
    request: { ...registration, name: " \t\n " },
    expected: invalid("name"),
  },
  {
    service: "musical",
    method: "registerMusical",
    caller: "manager",
    why: "name 201 characters",
    request: { ...registration, name: "n".repeat(201) },
    expected: invalid("name"),
  },
  {
    service: "musical",
    method: "registerMusical",
    caller: "manager",
    why: "name 201 characters, all outside the BMP",
    request: { ...registration, name: "🎭".repeat(201) },
    expected: invalid("name"),
  },
  {
    service: "musical",
    method: "registerMusical",
    caller: "manager",
    why: "name containing NUL",
    request: { ...registration, name: "Cats\u0000" },
    expected: invalid("name"),
  },
  // protobufjs (grpc-js) encodes a lone surrogate as the bytes ED A0 80, which are not UTF-8; nothing may store them.
  {
    service: "musical",
    method: "registerMusical",
    caller: "manager",
    why: "name not valid UTF-8 (a lone surrogate)",
    request: { ...registration, name: "Cats\uD800" },
    expected: undecodable("utf-8"),
  },
  {
    service: "musical",
    method: "registerMusical",
    caller: "manager",
    why: "name containing terminal escapes",
    request: { ...registration, name: "Cats\u001b[2J\u0007" },
    expected: invalid("name"),
  },
  ...[0, -1, -2147483648, 100_001, 2147483647].map((totalSeats): BadInput => ({
    service: "musical",
    method: "registerMusical",
    caller: "manager",
    why: `total_seats ${totalSeats}`,
    request: { ...registration, totalSeats },
    expected: invalid("total_seats"),
  })),
  ...["-1", "100000001", "9223372036854775807", "-9223372036854775808"].map((seatPrice): BadInput => ({
    service: "musical",
    method: "registerMusical",
    caller: "manager",
    why: `seat_price ${seatPrice}`,
    request: { ...registration, seatPrice },
    expected: invalid("seat_price"),
  })),
  ...badMusicalIds.map(([musicalId, why]): BadInput => ({
    service: "musical",
    method: "registerMusical",
    caller: "manager",
    why: `musical_id ${why}`,
    request: { ...registration, musicalId },
    expected: invalid("musical_id"),
  })),

  // musical.GetMusical
  ...[["", "empty"] as [string, string], [" ", "whitespace"] as [string, string], ...badMusicalIds].map(([musicalId, why]): BadInput => ({
    service: "musical",
    method: "getMusical",
    caller: "alice",
    why: `musical_id ${why}`,
    request: { musicalId },
    expected: invalid("musical_id"),
  })),
  {
    service: "musical",
    method: "getMusical",
    caller: "alice",
    why: "unknown musical",
    request: { musicalId: "no-such-show" },
    expected: notFound("musical no-such-show"),
  },
  {
    service: "musical",
    method: "getMusical",
    caller: "alice",
    why: "unknown musical with a UUID id",
    request: { musicalId: UNKNOWN_UUID },
    expected: notFound(UNKNOWN_UUID),
  },

  // musical.ListMusicals
  ...pagingRows({
    service: "musical",
    method: "listMusicals",
    own: (t) => t.musicals,
    foreign: { name: "the reservations listing", token: (t) => t.aliceReservations },
    scope: "musicals",
    perCustomer: false,
  }),

  // musical.ReserveSeats (internal: the reservation service's own token)
  ...["", "not-a-uuid", `${UNKNOWN_UUID} `, UNKNOWN_UUID.replaceAll("-", ""), `${UNKNOWN_UUID}0`].map((reservationId): BadInput => ({
    service: "musical",
    method: "reserveSeats",
    caller: "service",
    why: `reservation_id ${JSON.stringify(reservationId)}`,
    request: { ...reserveSeats, reservationId },
    expected: invalid("reservation_id"),
  })),
  ...[["", "empty"] as [string, string], ...badMusicalIds].map(([musicalId, why]): BadInput => ({
    service: "musical",
    method: "reserveSeats",
    caller: "service",
    why: `musical_id ${why}`,
    request: { ...reserveSeats, musicalId },
    expected: invalid("musical_id"),
  })),
  ...badSeatCounts.map(([seats, why]): BadInput => ({
    service: "musical",
    method: "reserveSeats",
    caller: "service",
    why: `seats ${why}`,
    request: { ...reserveSeats, seats },
    expected: invalid("seats"),
  })),
  {
    service: "musical",
    method: "reserveSeats",
    caller: "service",
    why: "customer_id empty",
    request: { ...reserveSeats, customerId: "" },
    expected: invalid("customer_id"),
  },
  {
    service: "musical",
    method: "reserveSeats",
    caller: "service",
    why: "customer_id 129 characters",
    request: { ...reserveSeats, customerId: "c".repeat(129) },
    expected: invalid("customer_id"),
  },
  {
    service: "musical",
    method: "reserveSeats",
    caller: "service",
    why: "customer_id containing NUL",
    request: { ...reserveSeats, customerId: "bob\u0000" },
    expected: invalid("customer_id"),
  },
  {
    service: "musical",
    method: "reserveSeats",
    caller: "service",
    why: "unknown musical",
    request: { ...reserveSeats, musicalId: "no-such-show" },
    expected: notFound("musical no-such-show"),
  },

  // musical.ReleaseSeats: an unknown (well-formed) id is not an error there — it bars a late hold by design.
  ...["", "not-a-uuid"].map((reservationId): BadInput => ({
    service: "musical",
    method: "releaseSeats",
    caller: "service",
    why: `reservation_id ${JSON.stringify(reservationId)}`,
    request: { reservationId },
    expected: invalid("reservation_id"),
  })),

  // reservation.PlaceReservation
  ...[["", "empty"] as [string, string], [" ", "whitespace"] as [string, string], ...badMusicalIds].map(([musicalId, why]): BadInput => ({
    service: "reservation",
    method: "placeReservation",
    caller: "bob",
    why: `musical_id ${why}`,
    request: placement({ musicalId }),
    expected: invalid("musical_id"),
  })),
  ...badSeatCounts.map(([seats, why]): BadInput => ({
    service: "reservation",
    method: "placeReservation",
    caller: "bob",
    why: `seats ${why}`,
    request: placement({ seats }),
    expected: invalid("seats"),
  })),
  ...(
    [
      ["", "empty"],
      ["   ", "whitespace"],
      ["k".repeat(129), "129 characters"],
      ["has space", "containing a space"],
      ["line\nbreak", "containing a newline"],
      ["tab\tkey", "containing a tab"],
      ["nul\u0000key", "containing NUL"],
      ["키", "not ASCII"],
    ] as [string, string][]
  ).map(([idempotencyKey, why]): BadInput => ({
    service: "reservation",
    method: "placeReservation",
    caller: "bob",
    why: `idempotency_key ${why}`,
    request: placement({ idempotencyKey }),
    expected: invalid("idempotency_key"),
  })),
  {
    service: "reservation",
    method: "placeReservation",
    caller: "bob",
    why: "unknown musical",
    request: placement({ musicalId: "no-such-show" }),
    expected: notFound("musical no-such-show"),
  },

  // reservation.CancelReservation / GetReservation, payment.GetPayment: reservation ids
  ...(["cancelReservation", "getReservation"] as const).flatMap((method) => [
    ...["", "not-a-uuid", "12345", UNKNOWN_UUID.replaceAll("-", "")].map((reservationId): BadInput => ({
      service: "reservation",
      method,
      caller: "bob",
      why: `reservation_id ${JSON.stringify(reservationId)}`,
      request: { reservationId },
      expected: invalid("reservation_id"),
    })),
    {
      service: "reservation",
      method,
      caller: "bob",
      why: "unknown reservation",
      request: { reservationId: UNKNOWN_UUID },
      expected: notFound(UNKNOWN_UUID),
    } satisfies BadInput,
  ]),
  ...["", "not-a-uuid"].map((reservationId): BadInput => ({
    service: "payment",
    method: "getPayment",
    caller: "alice",
    why: `reservation_id ${JSON.stringify(reservationId)}`,
    request: { reservationId },
    expected: invalid("reservation_id"),
  })),
  {
    service: "payment",
    method: "getPayment",
    caller: "alice",
    why: "unknown reservation",
    request: { reservationId: UNKNOWN_UUID },
    expected: notFound(UNKNOWN_UUID),
  },

  // The three per-customer listings.
  ...pagingRows({
    service: "reservation",
    method: "listReservations",
    own: (t) => t.aliceReservations,
    foreign: { name: "the musicals listing", token: (t) => t.musicals },
    scope: "reservations:alice",
    perCustomer: true,
  }),
  ...pagingRows({
    service: "payment",
    method: "listPayments",
    own: (t) => t.alicePayments,
    foreign: { name: "the reservations listing", token: (t) => t.aliceReservations },
    scope: "payments:alice",
    perCustomer: true,
  }),
  ...pagingRows({
    service: "notice",
    method: "listNotifications",
    own: (t) => t.aliceNotifications,
    foreign: { name: "the payments listing", token: (t) => t.alicePayments },
    scope: "notifications:alice",
    perCustomer: true,
  }),
  ...pagingRows({
    service: "customercenter",
    method: "getMyPage",
    own: (t) => t.aliceMyPage,
    foreign: { name: "the notifications listing", token: (t) => t.aliceNotifications },
    scope: "mypage:alice",
    perCustomer: true,
  }),
];

/**
 * Requests no generated client would send, made byte by byte: malformed
 * protobuf, invalid UTF-8, broken gRPC framing, compression that does not
 * match. None may be answered INTERNAL (the edge counts that as a 5xx against
 * the pod): INVALID_ARGUMENT, or UNIMPLEMENTED for a compression the service
 * does not speak. They go to writing RPCs, so a decoder that let one through
 * would show in the unchanged-state check.
 */
interface WireCase {
  service: ServiceName;
  /** The RPC, as its path. */
  path: string;
  caller: Caller;
  why: string;
  send: (address: string, path: string, auth: Record<string, string>) => Promise<RawAnswer>;
  expected: Partial<RawAnswer>;
}

const REGISTER_MUSICAL = "/outerpark.musical.v1.MusicalService/RegisterMusical";
const PLACE_RESERVATION = "/outerpark.reservation.v1.ReservationService/PlaceReservation";
const WATCH_MY_PAGE = "/outerpark.customercenter.v1.CustomerCenterService/WatchMyPage";
/** RegisterMusicalRequest { name, total_seats: 10, seat_price: 80000 }, with the name's bytes as given. */
const registrationBytes = (name: Uint8Array) => Buffer.concat([wire.bytesField(2, name), wire.varintField(3, 10), wire.varintField(4, 80_000)]);
const validRegistration = registrationBytes(Buffer.from("Wire: The Musical"));
/** A length-delimited field that promises 16 bytes and has 1: malformed for any message type. */
const truncatedField = Buffer.from([0x0a, 0x10, 0x61]);

/** The message of a request that could not be decoded, saying why. */
const decodeFailure = (mentions: string) => new RegExp(`^request could not be decoded: .*${mentions}`, "i");
const grpcInvalid = (mentions: string): Partial<RawAnswer> => ({
  grpcStatus: grpc.status.INVALID_ARGUMENT,
  grpcMessage: expect.stringMatching(decodeFailure(mentions)),
});
const connectInvalid = (mentions: string): Partial<RawAnswer> => ({
  httpStatus: 400,
  connectCode: "invalid_argument",
  connectMessage: expect.stringMatching(decodeFailure(mentions)),
});

const grpcBody =
  (body: Buffer, headers: Record<string, string> = {}) =>
  (address: string, path: string, auth: Record<string, string>) =>
    rawGrpc(address, path, body, { ...headers, ...auth });
const connectBody =
  (body: Buffer, headers: Record<string, string> = {}, transport: "http1" | "http2" = "http1") =>
  (address: string, path: string, auth: Record<string, string>) =>
    rawConnect(address, path, body, { ...headers, ...auth }, transport);

const wireCases: WireCase[] = [
  // Invalid UTF-8 in a string field.
  {
    service: "musical",
    path: REGISTER_MUSICAL,
    caller: "manager",
    why: "gRPC: name with the byte FF",
    send: grpcBody(envelope(registrationBytes(Buffer.from([0x43, 0x61, 0x74, 0x73, 0xff])))),
    expected: grpcInvalid("utf-8"),
  },
  {
    service: "reservation",
    path: PLACE_RESERVATION,
    caller: "bob",
    why: "gRPC: idempotency_key with a truncated UTF-8 sequence",
    send: grpcBody(
      envelope(Buffer.concat([wire.bytesField(1, Buffer.from(SHOW)), wire.varintField(2, 1), wire.bytesField(3, Buffer.from([0x6b, 0xe2, 0x82]))])),
    ),
    expected: grpcInvalid("utf-8"),
  },
  {
    service: "musical",
    path: REGISTER_MUSICAL,
    caller: "manager",
    why: "Connect JSON: name with the byte FF",
    send: connectBody(Buffer.concat([Buffer.from('{"name":"Cats'), Buffer.from([0xff]), Buffer.from('","totalSeats":10,"seatPrice":"80000"}')]), {
      "content-type": "application/json",
    }),
    expected: { httpStatus: 400, connectCode: "invalid_argument" },
  },
  // Malformed protobuf.
  {
    service: "musical",
    path: REGISTER_MUSICAL,
    caller: "manager",
    why: "gRPC: a field longer than the message",
    send: grpcBody(envelope(Buffer.concat([validRegistration, truncatedField]))),
    expected: grpcInvalid("premature EOF"),
  },
  {
    service: "musical",
    path: REGISTER_MUSICAL,
    caller: "manager",
    why: "gRPC: wire type 7",
    send: grpcBody(envelope(Buffer.concat([validRegistration, Buffer.from([0x0f, 0x00])]))),
    expected: grpcInvalid("illegal tag"),
  },
  {
    service: "musical",
    path: REGISTER_MUSICAL,
    caller: "manager",
    why: "gRPC: a varint that never ends",
    send: grpcBody(envelope(Buffer.concat([validRegistration, Buffer.from([0x18, 0xff, 0xff])]))),
    expected: grpcInvalid("premature EOF"),
  },
  {
    service: "reservation",
    path: PLACE_RESERVATION,
    caller: "bob",
    why: "gRPC: a field longer than the message",
    send: grpcBody(envelope(truncatedField)),
    expected: grpcInvalid("premature EOF"),
  },
  {
    service: "customercenter",
    path: WATCH_MY_PAGE,
    caller: "alice",
    why: "gRPC (server stream): a field longer than the message",
    send: grpcBody(envelope(truncatedField)),
    expected: grpcInvalid("premature EOF"),
  },
  {
    service: "musical",
    path: REGISTER_MUSICAL,
    caller: "manager",
    why: "Connect application/proto (HTTP/1.1): a field longer than the message",
    send: connectBody(Buffer.concat([validRegistration, truncatedField])),
    expected: connectInvalid("premature EOF"),
  },
  {
    service: "musical",
    path: REGISTER_MUSICAL,
    caller: "manager",
    why: "Connect application/proto (HTTP/2): wire type 7",
    send: connectBody(Buffer.concat([validRegistration, Buffer.from([0x0f, 0x00])]), {}, "http2"),
    expected: connectInvalid("illegal tag"),
  },
  {
    service: "reservation",
    path: PLACE_RESERVATION,
    caller: "bob",
    why: "Connect application/proto: a field longer than the message",
    send: connectBody(truncatedField),
    expected: connectInvalid("premature EOF"),
  },
  {
    service: "musical",
    path: REGISTER_MUSICAL,
    caller: "manager",
    why: "Connect JSON: not JSON",
    send: connectBody(Buffer.from('{"name": "Cats",'), { "content-type": "application/json" }),
    expected: { httpStatus: 400, connectCode: "invalid_argument" },
  },
  // Broken gRPC framing.
  {
    service: "musical",
    path: REGISTER_MUSICAL,
    caller: "manager",
    why: "gRPC: a length prefix longer than the body",
    send: grpcBody(envelope(validRegistration, { declaredLength: validRegistration.byteLength + 10 })),
    expected: { grpcStatus: grpc.status.INVALID_ARGUMENT },
  },
  {
    service: "musical",
    path: REGISTER_MUSICAL,
    caller: "manager",
    why: "gRPC: three bytes of a length prefix",
    send: grpcBody(Buffer.from([0, 0, 0])),
    expected: { grpcStatus: grpc.status.INVALID_ARGUMENT },
  },
  {
    service: "musical",
    path: REGISTER_MUSICAL,
    caller: "manager",
    why: "gRPC: the compressed flag without grpc-encoding",
    send: grpcBody(envelope(validRegistration, { compressed: true })),
    expected: grpcInvalid("compressed"),
  },
  {
    service: "musical",
    path: REGISTER_MUSICAL,
    caller: "manager",
    why: "gRPC: the compressed flag with grpc-encoding identity",
    send: grpcBody(envelope(validRegistration, { compressed: true }), { "grpc-encoding": "identity" }),
    expected: grpcInvalid("compressed"),
  },
  // Compression that does not match.
  {
    service: "musical",
    path: REGISTER_MUSICAL,
    caller: "manager",
    why: "gRPC: grpc-encoding gzip over bytes that are not gzip",
    send: grpcBody(envelope(validRegistration, { compressed: true }), { "grpc-encoding": "gzip" }),
    expected: { grpcStatus: grpc.status.INVALID_ARGUMENT },
  },
  {
    service: "musical",
    path: REGISTER_MUSICAL,
    caller: "manager",
    why: "gRPC: a gzip stream cut short",
    send: grpcBody(envelope(gzipSync(validRegistration).subarray(0, 20), { compressed: true }), { "grpc-encoding": "gzip" }),
    expected: { grpcStatus: grpc.status.INVALID_ARGUMENT },
  },
  {
    service: "musical",
    path: REGISTER_MUSICAL,
    caller: "manager",
    why: "gRPC: an unknown grpc-encoding",
    send: grpcBody(envelope(validRegistration, { compressed: true }), { "grpc-encoding": "snappy" }),
    expected: { grpcStatus: grpc.status.UNIMPLEMENTED },
  },
  {
    service: "musical",
    path: REGISTER_MUSICAL,
    caller: "manager",
    why: "Connect: an unknown Content-Encoding",
    send: connectBody(validRegistration, { "content-encoding": "snappy" }),
    expected: { connectCode: "unimplemented" },
  },
  {
    service: "musical",
    path: REGISTER_MUSICAL,
    caller: "manager",
    why: "Connect: Content-Encoding gzip over bytes that are not gzip",
    send: connectBody(validRegistration, { "content-encoding": "gzip" }),
    expected: { httpStatus: 400, connectCode: "invalid_argument" },
  },
  {
    service: "musical",
    path: REGISTER_MUSICAL,
    caller: "manager",
    why: "Connect: a gzip stream cut short",
    send: connectBody(gzipSync(validRegistration).subarray(0, 20), { "content-encoding": "gzip" }),
    expected: { httpStatus: 400, connectCode: "invalid_argument" },
  },
];

const SERVICES: Record<ServiceName, DescService> = {
  musical: MusicalService,
  reservation: ReservationService,
  payment: PaymentService,
  notice: NoticeService,
  customercenter: CustomerCenterService,
};
const lowerCamel = (name: string) => name[0]!.toLowerCase() + name.slice(1);

describe("bad input is refused and changes nothing", () => {
  let system: TestSystem;
  const tokens: Record<Caller, string> = { alice: "", bob: "", manager: "", service: "" };
  const pageTokens: PageTokens = { musicals: "", aliceReservations: "", alicePayments: "", aliceNotifications: "", aliceMyPage: "" };
  let clients: { [S in ServiceName]: ServiceClient<S> };
  let before: Snapshot;

  beforeAll(async () => {
    system = await TestSystem.start();
    tokens.alice = await system.token("alice");
    tokens.bob = await system.token("bob");
    tokens.manager = await system.token("manager-1", "manager");
    tokens.service = await system.token("reservation", "service");
    clients = {
      musical: system.client("musical"),
      reservation: system.client("reservation"),
      payment: system.client("payment"),
      notice: system.client("notice"),
      customercenter: system.client("customercenter"),
    };
    const { musical, reservation, payment, notice, customercenter } = clients;

    // Enough data for a second page in every listing: two musicals, two paid reservations for alice.
    await musical.registerMusical({ musicalId: SHOW, name: "Bad Input: The Musical", totalSeats: 10, seatPrice: "50000" }, tokens.manager);
    await musical.registerMusical(
      { musicalId: "bad-input-encore", name: "Bad Input: The Encore", totalSeats: 5, seatPrice: "60000" },
      tokens.manager,
    );
    for (const key of ["alice-1", "alice-2"]) await reservation.placeReservation({ musicalId: SHOW, seats: 1, idempotencyKey: key }, tokens.alice);

    // Wait for the saga to finish, so the snapshot is not taken mid-flight.
    await waitFor(
      async () => {
        const page = await customercenter.getMyPage({}, tokens.alice);
        return (
          page.reservations.length === 2 &&
          page.reservations.every((r) => r.paymentState === "PAYMENT_STATE_APPROVED" && r.notifications.length === 1)
        );
      },
      30_000,
      "both reservations paid and notified on MyPage",
    );
    await waitFor(async () => (await notice.listNotifications({}, tokens.alice)).notifications.length === 2, 20_000, "two notifications");
    before = await quietSnapshot(system);

    const secondPage = async (call: Promise<{ nextPageToken: string }>, what: string) => {
      const token = (await call).nextPageToken as string;
      if (!token) throw new Error(`no second page of ${what}`);
      return token;
    };
    pageTokens.musicals = await secondPage(musical.listMusicals({ pageSize: 1 }, tokens.alice), "musicals");
    pageTokens.aliceReservations = await secondPage(reservation.listReservations({ pageSize: 1 }, tokens.alice), "reservations");
    pageTokens.alicePayments = await secondPage(payment.listPayments({ pageSize: 1 }, tokens.alice), "payments");
    pageTokens.aliceNotifications = await secondPage(notice.listNotifications({ pageSize: 1 }, tokens.alice), "notifications");
    pageTokens.aliceMyPage = await secondPage(customercenter.getMyPage({ pageSize: 1 }, tokens.alice), "MyPage");
  });

  afterAll(async () => {
    for (const client of Object.values(clients ?? {})) client.close();
    await system?.stop();
  });

  it("the table covers every field of every unary request, and no request has an enum field yet", () => {
    const covered = new Set(cases.flatMap((c) => ("field" in c.expected ? [`${c.method}.${c.expected.field}`] : [])));
    const fields: string[] = [];
    const enumFields: string[] = [];
    for (const service of Object.values(SERVICES)) {
      for (const method of service.methods) {
        if (method.methodKind !== "unary") continue;
        for (const field of method.input.fields) {
          fields.push(`${lowerCamel(method.name)}.${field.name}`);
          // An enum field would need rows for unknown and UNSPECIFIED values.
          if (field.fieldKind === "enum") enumFields.push(`${method.input.typeName}.${field.name}`);
        }
      }
    }
    expect(fields.filter((f) => !covered.has(f))).toEqual([]);
    expect(enumFields).toEqual([]);
  });

  async function send(c: BadInput): Promise<void> {
    const request = typeof c.request === "function" ? c.request(pageTokens) : c.request;
    const call = untypedMethod(clients[c.service], c.method);
    if (!call) throw new Error(`${c.service} has no method ${c.method}`);
    const error = await expectStatus(call(request, tokens[c.caller]), c.expected.code);
    const message = statusMessage(error.details);
    if ("field" in c.expected) expect(message).toMatch(new RegExp(`^${c.expected.field}: `));
    if ("mentions" in c.expected) expect(message).toContain(c.expected.mentions);
    if ("undecodable" in c.expected) expect(message).toMatch(decodeFailure(c.expected.undecodable));
  }

  it.each(cases.map((c) => [`${c.service}.${c.method}: ${c.why}`, c] as const))("%s", async (_name, c) => send(c));

  it.each(wireCases.map((c) => [`${c.service} ${c.path.split("/").pop()}: ${c.why}`, c] as const))("%s", async (_name, c) => {
    const answer = await c.send(system.address(c.service), c.path, { authorization: `Bearer ${tokens[c.caller]}` });
    expect(answer).toMatchObject(c.expected);
  });

  it("after the whole table, no row, event or seat changed anywhere", async () => {
    // Every side effect here is written before the call returns: rows in the
    // handler's transaction, events as outbox rows in that same transaction.
    // So comparing right away sees any leak; the streams are compared too.
    const after = await snapshot(system);
    expect(after).toEqual(before);
    expect(after.tables["reservation.reservations(status=PLACING)"]?.rows).toBe(0);
    for (const table of [
      "musical.musicals",
      "musical.seat_holds",
      "reservation.reservations",
      "payment.payments",
      "notice.notifications",
      "customercenter.mypage_history",
    ]) {
      expect(Object.keys(after.tables)).toContain(table);
    }
    for (const service of SERVICE_NAMES) expect(Object.keys(after.tables)).toContain(`${service}.outbox`);
    const rows = Object.values(after.tables).reduce((sum, t) => sum + t.rows, 0);
    const events = Object.values(after.streams).reduce((sum, n) => sum + n, 0);
    console.log(
      `bad input: ${cases.length} cases (${cases.filter((c) => c.expected.code === grpc.status.INVALID_ARGUMENT).length} INVALID_ARGUMENT, ` +
        `${cases.filter((c) => c.expected.code === grpc.status.NOT_FOUND).length} NOT_FOUND); unchanged: ${Object.keys(after.tables).length} tables ` +
        `in ${SERVICE_NAMES.length} services (${rows} rows, contents digested), ${Object.keys(after.streams).length} streams (${events} messages); ` +
        `${wireCases.length} hand-made requests that cannot be decoded`,
    );
  });
});

/**
 * connect-node percent-encodes grpc-message with encodeURIComponent, while
 * grpc-js decodes it with decodeURI, which leaves reserved characters such as
 * ':' encoded ("page_token%3A ..."). Decode the rest here; a message that is
 * not valid percent-encoding is compared as it came.
 */
function statusMessage(details: string): string {
  try {
    return decodeURIComponent(details);
  } catch {
    return details;
  }
}

interface Snapshot {
  tables: Record<string, { rows: number; digest: string }>;
  streams: Record<string, number>;
}

/** Row count and a digest of the contents of every table of every service, plus every stream's message count. */
async function snapshot(system: TestSystem): Promise<Snapshot> {
  const tables: Snapshot["tables"] = {};
  for (const service of SERVICE_NAMES) {
    const names = await system.sql<{ table_name: string }>(
      service,
      "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name",
    );
    const perTable = names.map(
      ({ table_name }) =>
        `select '${table_name}' as name, count(*)::int as rows, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from "${table_name}" t`,
    );
    for (const { name, rows, digest } of await system.sql<{ name: string; rows: number; digest: string }>(service, perTable.join(" union all "))) {
      tables[`${service}.${name}`] = { rows, digest };
    }
  }
  const [placing] = await system.sql<{ rows: number }>("reservation", "select count(*)::int as rows from reservations where status = 'PLACING'");
  tables["reservation.reservations(status=PLACING)"] = { rows: placing!.rows, digest: "" };
  const streams: Snapshot["streams"] = {};
  for (const domain of [...EVENT_DOMAINS, "deadletter"] as const) streams[domain] = await system.streamMessageCount(domain);
  return { tables, streams };
}

/** A snapshot once every outbox is relayed and two readings in a row agree, i.e. nothing is still moving. */
async function quietSnapshot(system: TestSystem): Promise<Snapshot> {
  let previous: Snapshot | undefined;
  let current: Snapshot | undefined;
  await waitFor(
    async () => {
      for (const service of SERVICE_NAMES) {
        const [pending] = await system.sql<{ n: number }>(service, "select count(*)::int as n from outbox where published_at is null");
        if (pending!.n > 0) return false;
      }
      previous = current;
      current = await snapshot(system);
      return previous !== undefined && JSON.stringify(previous) === JSON.stringify(current);
    },
    20_000,
    "the system to be quiet",
    250,
  );
  return current!;
}
