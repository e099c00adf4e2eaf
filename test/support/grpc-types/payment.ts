import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp.js';
import type { GetPaymentRequest as _outerpark_payment_v1_GetPaymentRequest, GetPaymentRequest__Output as _outerpark_payment_v1_GetPaymentRequest__Output } from './outerpark/payment/v1/GetPaymentRequest.js';
import type { GetPaymentResponse as _outerpark_payment_v1_GetPaymentResponse, GetPaymentResponse__Output as _outerpark_payment_v1_GetPaymentResponse__Output } from './outerpark/payment/v1/GetPaymentResponse.js';
import type { ListPaymentsRequest as _outerpark_payment_v1_ListPaymentsRequest, ListPaymentsRequest__Output as _outerpark_payment_v1_ListPaymentsRequest__Output } from './outerpark/payment/v1/ListPaymentsRequest.js';
import type { ListPaymentsResponse as _outerpark_payment_v1_ListPaymentsResponse, ListPaymentsResponse__Output as _outerpark_payment_v1_ListPaymentsResponse__Output } from './outerpark/payment/v1/ListPaymentsResponse.js';
import type { Payment as _outerpark_payment_v1_Payment, Payment__Output as _outerpark_payment_v1_Payment__Output } from './outerpark/payment/v1/Payment.js';
import type { PaymentServiceClient as _outerpark_payment_v1_PaymentServiceClient, PaymentServiceDefinition as _outerpark_payment_v1_PaymentServiceDefinition } from './outerpark/payment/v1/PaymentService.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  google: {
    protobuf: {
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
    }
  }
  outerpark: {
    payment: {
      v1: {
        GetPaymentRequest: MessageTypeDefinition<_outerpark_payment_v1_GetPaymentRequest, _outerpark_payment_v1_GetPaymentRequest__Output>
        GetPaymentResponse: MessageTypeDefinition<_outerpark_payment_v1_GetPaymentResponse, _outerpark_payment_v1_GetPaymentResponse__Output>
        ListPaymentsRequest: MessageTypeDefinition<_outerpark_payment_v1_ListPaymentsRequest, _outerpark_payment_v1_ListPaymentsRequest__Output>
        ListPaymentsResponse: MessageTypeDefinition<_outerpark_payment_v1_ListPaymentsResponse, _outerpark_payment_v1_ListPaymentsResponse__Output>
        Payment: MessageTypeDefinition<_outerpark_payment_v1_Payment, _outerpark_payment_v1_Payment__Output>
        PaymentService: SubtypeConstructor<typeof grpc.Client, _outerpark_payment_v1_PaymentServiceClient> & { service: _outerpark_payment_v1_PaymentServiceDefinition }
        PaymentStatus: EnumTypeDefinition
      }
    }
  }
}

