// Original file: proto/outerpark/customercenter/v1/customercenter.proto

import type { ReservationStatus as _outerpark_reservation_v1_ReservationStatus, ReservationStatus__Output as _outerpark_reservation_v1_ReservationStatus__Output } from '../../../outerpark/reservation/v1/ReservationStatus.js';
import type { PaymentState as _outerpark_reservation_v1_PaymentState, PaymentState__Output as _outerpark_reservation_v1_PaymentState__Output } from '../../../outerpark/reservation/v1/PaymentState.js';
import type { MyNotification as _outerpark_customercenter_v1_MyNotification, MyNotification__Output as _outerpark_customercenter_v1_MyNotification__Output } from '../../../outerpark/customercenter/v1/MyNotification.js';
import type { HistoryEntry as _outerpark_customercenter_v1_HistoryEntry, HistoryEntry__Output as _outerpark_customercenter_v1_HistoryEntry__Output } from '../../../outerpark/customercenter/v1/HistoryEntry.js';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.js';
import type { Long } from '@grpc/proto-loader';

export interface MyReservation {
  'reservationId'?: (string);
  'musicalId'?: (string);
  'musicalName'?: (string);
  'seats'?: (number);
  'amount'?: (number | string | Long);
  'reservationStatus'?: (_outerpark_reservation_v1_ReservationStatus);
  'paymentState'?: (_outerpark_reservation_v1_PaymentState);
  'notifications'?: (_outerpark_customercenter_v1_MyNotification)[];
  'history'?: (_outerpark_customercenter_v1_HistoryEntry)[];
  'version'?: (number | string | Long);
  'updatedAt'?: (_google_protobuf_Timestamp | null);
}

export interface MyReservation__Output {
  'reservationId': (string);
  'musicalId': (string);
  'musicalName': (string);
  'seats': (number);
  'amount': (string);
  'reservationStatus': (_outerpark_reservation_v1_ReservationStatus__Output);
  'paymentState': (_outerpark_reservation_v1_PaymentState__Output);
  'notifications': (_outerpark_customercenter_v1_MyNotification__Output)[];
  'history': (_outerpark_customercenter_v1_HistoryEntry__Output)[];
  'version': (string);
  'updatedAt': (_google_protobuf_Timestamp__Output | null);
}
