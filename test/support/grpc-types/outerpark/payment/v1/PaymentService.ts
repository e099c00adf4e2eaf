// Original file: proto/outerpark/payment/v1/payment.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetPaymentRequest as _outerpark_payment_v1_GetPaymentRequest, GetPaymentRequest__Output as _outerpark_payment_v1_GetPaymentRequest__Output } from '../../../outerpark/payment/v1/GetPaymentRequest.js';
import type { GetPaymentResponse as _outerpark_payment_v1_GetPaymentResponse, GetPaymentResponse__Output as _outerpark_payment_v1_GetPaymentResponse__Output } from '../../../outerpark/payment/v1/GetPaymentResponse.js';
import type { ListPaymentsRequest as _outerpark_payment_v1_ListPaymentsRequest, ListPaymentsRequest__Output as _outerpark_payment_v1_ListPaymentsRequest__Output } from '../../../outerpark/payment/v1/ListPaymentsRequest.js';
import type { ListPaymentsResponse as _outerpark_payment_v1_ListPaymentsResponse, ListPaymentsResponse__Output as _outerpark_payment_v1_ListPaymentsResponse__Output } from '../../../outerpark/payment/v1/ListPaymentsResponse.js';

export interface PaymentServiceClient extends grpc.Client {
  GetPayment(argument: _outerpark_payment_v1_GetPaymentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_payment_v1_GetPaymentResponse__Output>): grpc.ClientUnaryCall;
  GetPayment(argument: _outerpark_payment_v1_GetPaymentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_payment_v1_GetPaymentResponse__Output>): grpc.ClientUnaryCall;
  GetPayment(argument: _outerpark_payment_v1_GetPaymentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_payment_v1_GetPaymentResponse__Output>): grpc.ClientUnaryCall;
  GetPayment(argument: _outerpark_payment_v1_GetPaymentRequest, callback: grpc.requestCallback<_outerpark_payment_v1_GetPaymentResponse__Output>): grpc.ClientUnaryCall;
  getPayment(argument: _outerpark_payment_v1_GetPaymentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_payment_v1_GetPaymentResponse__Output>): grpc.ClientUnaryCall;
  getPayment(argument: _outerpark_payment_v1_GetPaymentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_payment_v1_GetPaymentResponse__Output>): grpc.ClientUnaryCall;
  getPayment(argument: _outerpark_payment_v1_GetPaymentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_payment_v1_GetPaymentResponse__Output>): grpc.ClientUnaryCall;
  getPayment(argument: _outerpark_payment_v1_GetPaymentRequest, callback: grpc.requestCallback<_outerpark_payment_v1_GetPaymentResponse__Output>): grpc.ClientUnaryCall;
  
  ListPayments(argument: _outerpark_payment_v1_ListPaymentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_payment_v1_ListPaymentsResponse__Output>): grpc.ClientUnaryCall;
  ListPayments(argument: _outerpark_payment_v1_ListPaymentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_payment_v1_ListPaymentsResponse__Output>): grpc.ClientUnaryCall;
  ListPayments(argument: _outerpark_payment_v1_ListPaymentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_payment_v1_ListPaymentsResponse__Output>): grpc.ClientUnaryCall;
  ListPayments(argument: _outerpark_payment_v1_ListPaymentsRequest, callback: grpc.requestCallback<_outerpark_payment_v1_ListPaymentsResponse__Output>): grpc.ClientUnaryCall;
  listPayments(argument: _outerpark_payment_v1_ListPaymentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_payment_v1_ListPaymentsResponse__Output>): grpc.ClientUnaryCall;
  listPayments(argument: _outerpark_payment_v1_ListPaymentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_payment_v1_ListPaymentsResponse__Output>): grpc.ClientUnaryCall;
  listPayments(argument: _outerpark_payment_v1_ListPaymentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_payment_v1_ListPaymentsResponse__Output>): grpc.ClientUnaryCall;
  listPayments(argument: _outerpark_payment_v1_ListPaymentsRequest, callback: grpc.requestCallback<_outerpark_payment_v1_ListPaymentsResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface PaymentServiceHandlers extends grpc.UntypedServiceImplementation {
  GetPayment: grpc.handleUnaryCall<_outerpark_payment_v1_GetPaymentRequest__Output, _outerpark_payment_v1_GetPaymentResponse>;
  
  ListPayments: grpc.handleUnaryCall<_outerpark_payment_v1_ListPaymentsRequest__Output, _outerpark_payment_v1_ListPaymentsResponse>;
  
}

export interface PaymentServiceDefinition extends grpc.ServiceDefinition {
  GetPayment: MethodDefinition<_outerpark_payment_v1_GetPaymentRequest, _outerpark_payment_v1_GetPaymentResponse, _outerpark_payment_v1_GetPaymentRequest__Output, _outerpark_payment_v1_GetPaymentResponse__Output>
  ListPayments: MethodDefinition<_outerpark_payment_v1_ListPaymentsRequest, _outerpark_payment_v1_ListPaymentsResponse, _outerpark_payment_v1_ListPaymentsRequest__Output, _outerpark_payment_v1_ListPaymentsResponse__Output>
}
