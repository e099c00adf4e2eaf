// Original file: proto/outerpark/payment/v1/payment.proto


export interface ListPaymentsRequest {
  'pageSize'?: (number);
  'pageToken'?: (string);
}

export interface ListPaymentsRequest__Output {
  'pageSize': (number);
  'pageToken': (string);
}
