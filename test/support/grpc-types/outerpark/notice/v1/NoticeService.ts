// Original file: proto/outerpark/notice/v1/notice.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ListNotificationsRequest as _outerpark_notice_v1_ListNotificationsRequest, ListNotificationsRequest__Output as _outerpark_notice_v1_ListNotificationsRequest__Output } from '../../../outerpark/notice/v1/ListNotificationsRequest.js';
import type { ListNotificationsResponse as _outerpark_notice_v1_ListNotificationsResponse, ListNotificationsResponse__Output as _outerpark_notice_v1_ListNotificationsResponse__Output } from '../../../outerpark/notice/v1/ListNotificationsResponse.js';

export interface NoticeServiceClient extends grpc.Client {
  ListNotifications(argument: _outerpark_notice_v1_ListNotificationsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_notice_v1_ListNotificationsResponse__Output>): grpc.ClientUnaryCall;
  ListNotifications(argument: _outerpark_notice_v1_ListNotificationsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_notice_v1_ListNotificationsResponse__Output>): grpc.ClientUnaryCall;
  ListNotifications(argument: _outerpark_notice_v1_ListNotificationsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_notice_v1_ListNotificationsResponse__Output>): grpc.ClientUnaryCall;
  ListNotifications(argument: _outerpark_notice_v1_ListNotificationsRequest, callback: grpc.requestCallback<_outerpark_notice_v1_ListNotificationsResponse__Output>): grpc.ClientUnaryCall;
  listNotifications(argument: _outerpark_notice_v1_ListNotificationsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_notice_v1_ListNotificationsResponse__Output>): grpc.ClientUnaryCall;
  listNotifications(argument: _outerpark_notice_v1_ListNotificationsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_notice_v1_ListNotificationsResponse__Output>): grpc.ClientUnaryCall;
  listNotifications(argument: _outerpark_notice_v1_ListNotificationsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_notice_v1_ListNotificationsResponse__Output>): grpc.ClientUnaryCall;
  listNotifications(argument: _outerpark_notice_v1_ListNotificationsRequest, callback: grpc.requestCallback<_outerpark_notice_v1_ListNotificationsResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface NoticeServiceHandlers extends grpc.UntypedServiceImplementation {
  ListNotifications: grpc.handleUnaryCall<_outerpark_notice_v1_ListNotificationsRequest__Output, _outerpark_notice_v1_ListNotificationsResponse>;
  
}

export interface NoticeServiceDefinition extends grpc.ServiceDefinition {
  ListNotifications: MethodDefinition<_outerpark_notice_v1_ListNotificationsRequest, _outerpark_notice_v1_ListNotificationsResponse, _outerpark_notice_v1_ListNotificationsRequest__Output, _outerpark_notice_v1_ListNotificationsResponse__Output>
}
