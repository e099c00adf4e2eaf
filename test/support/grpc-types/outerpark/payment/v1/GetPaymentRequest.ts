// Original file: proto/outerpark/payment/v1/payment.proto


export interface GetPaymentRequest {
  'reservationId'?: (string);
}

export interface GetPaymentRequest__Output {
  'reservationId': (string);
}
