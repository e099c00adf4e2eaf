// Original file: proto/outerpark/reservation/v1/reservation.proto

import type { ReservationStatus as _outerpark_reservation_v1_ReservationStatus, ReservationStatus__Output as _outerpark_reservation_v1_ReservationStatus__Output } from '../../../outerpark/reservation/v1/ReservationStatus.js';
import type { PaymentState as _outerpark_reservation_v1_PaymentState, PaymentState__Output as _outerpark_reservation_v1_PaymentState__Output } from '../../../outerpark/reservation/v1/PaymentState.js';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.js';
import type { Long } from '@grpc/proto-loader';

export interface Reservation {
  'reservationId'?: (string);
  'customerId'?: (string);
  'musicalId'?: (string);
  'musicalName'?: (string);
  'seats'?: (number);
  'amount'?: (number | string | Long);
  'status'?: (_outerpark_reservation_v1_ReservationStatus);
  'paymentState'?: (_outerpark_reservation_v1_PaymentState);
  'placedAt'?: (_google_protobuf_Timestamp | null);
  'updatedAt'?: (_google_protobuf_Timestamp | null);
}

export interface Reservation__Output {
  'reservationId': (string);
  'customerId': (string);
  'musicalId': (string);
  'musicalName': (string);
  'seats': (number);
  'amount': (string);
  'status': (_outerpark_reservation_v1_ReservationStatus__Output);
  'paymentState': (_outerpark_reservation_v1_PaymentState__Output);
  'placedAt': (_google_protobuf_Timestamp__Output | null);
  'updatedAt': (_google_protobuf_Timestamp__Output | null);
}
