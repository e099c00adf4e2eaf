// Original file: proto/outerpark/payment/v1/payment.proto

import type { Payment as _outerpark_payment_v1_Payment, Payment__Output as _outerpark_payment_v1_Payment__Output } from '../../../outerpark/payment/v1/Payment.js';

export interface ListPaymentsResponse {
  'payments'?: (_outerpark_payment_v1_Payment)[];
  'nextPageToken'?: (string);
}

export interface ListPaymentsResponse__Output {
  'payments': (_outerpark_payment_v1_Payment__Output)[];
  'nextPageToken': (string);
}
