import { create, createRegistry, type DescMessage, type Message, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { timestampNow, type Timestamp } from "@bufbuild/protobuf/wkt";
import { randomUUID } from "node:crypto";
import { file_outerpark_musical_v1_events } from "#gen/outerpark/musical/v1/events_pb.js";
import { file_outerpark_notice_v1_events } from "#gen/outerpark/notice/v1/events_pb.js";
import { file_outerpark_payment_v1_events } from "#gen/outerpark/payment/v1/events_pb.js";
import { file_outerpark_reservation_v1_events } from "#gen/outerpark/reservation/v1/events_pb.js";

/** Domains that publish integration events; each owns one JetStream stream. */
export const EVENT_DOMAINS = ["musical", "reservation", "payment", "notice"] as const;
export type EventDomain = (typeof EVENT_DOMAINS)[number];

/** Every integration event carries an id (the JetStream message id), and the time of the fact. */
export type DomainEvent = Message & { eventId: string; occurredAt?: Timestamp };

export const eventRegistry = createRegistry(
  file_outerpark_musical_v1_events,
  file_outerpark_reservation_v1_events,
  file_outerpark_payment_v1_events,
  file_outerpark_notice_v1_events,
);

/** Header naming the protobuf type of the payload. */
export const EVENT_TYPE_HEADER = "Event-Type";

/** "outerpark.reservation.v1.ReservationPlaced" → "reservation". */
export function domainOf(typeName: string): EventDomain {
  const domain = typeName.split(".")[1];
  if (!(EVENT_DOMAINS as readonly string[]).includes(domain ?? "")) throw new Error(`${typeName} belongs to no event domain`);
  return domain as EventDomain;
}

export function streamName(namespace: string, domain: EventDomain | "deadletter"): string {
  return `${namespace}_${domain}`.toUpperCase();
}

export function domainSubjects(namespace: string, domain: EventDomain | "deadletter"): string {
  return `${namespace}.${domain}.>`;
}

/** "outerpark.reservation.v1.ReservationPlaced" → "<namespace>.reservation.ReservationPlaced". */
export function subjectOf(namespace: string, typeName: string): string {
  return `${namespace}.${domainOf(typeName)}.${typeName.split(".").pop()}`;
}

/** Builds an event with a fresh id and the current time. */
export function newEvent<Desc extends DescMessage>(
  schema: Desc,
  init: Omit<MessageInitShape<Desc>, "eventId" | "occurredAt" | "$typeName">,
): MessageShape<Desc> & DomainEvent {
  return create(schema, {
    ...(init as object),
    eventId: randomUUID(),
    occurredAt: timestampNow(),
  } as unknown as MessageInitShape<Desc>) as MessageShape<Desc> & DomainEvent;
}
