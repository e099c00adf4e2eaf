// Original file: proto/outerpark/payment/v1/payment.proto

import type { PaymentStatus as _outerpark_payment_v1_PaymentStatus, PaymentStatus__Output as _outerpark_payment_v1_PaymentStatus__Output } from '../../../outerpark/payment/v1/PaymentStatus.js';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.js';
import type { Long } from '@grpc/proto-loader';

export interface Payment {
  'paymentId'?: (string);
  'reservationId'?: (string);
  'customerId'?: (string);
  'amount'?: (number | string | Long);
  'status'?: (_outerpark_payment_v1_PaymentStatus);
  'refunded'?: (boolean);
  'failureReason'?: (string);
  'attempts'?: (number);
  'createdAt'?: (_google_protobuf_Timestamp | null);
  'updatedAt'?: (_google_protobuf_Timestamp | null);
}

export interface Payment__Output {
  'paymentId': (string);
  'reservationId': (string);
  'customerId': (string);
  'amount': (string);
  'status': (_outerpark_payment_v1_PaymentStatus__Output);
  'refunded': (boolean);
  'failureReason': (string);
  'attempts': (number);
  'createdAt': (_google_protobuf_Timestamp__Output | null);
  'updatedAt': (_google_protobuf_Timestamp__Output | null);
}
