// Original file: proto/outerpark/customercenter/v1/customercenter.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetMyPageRequest as _outerpark_customercenter_v1_GetMyPageRequest, GetMyPageRequest__Output as _outerpark_customercenter_v1_GetMyPageRequest__Output } from '../../../outerpark/customercenter/v1/GetMyPageRequest.js';
import type { GetMyPageResponse as _outerpark_customercenter_v1_GetMyPageResponse, GetMyPageResponse__Output as _outerpark_customercenter_v1_GetMyPageResponse__Output } from '../../../outerpark/customercenter/v1/GetMyPageResponse.js';
import type { WatchMyPageRequest as _outerpark_customercenter_v1_WatchMyPageRequest, WatchMyPageRequest__Output as _outerpark_customercenter_v1_WatchMyPageRequest__Output } from '../../../outerpark/customercenter/v1/WatchMyPageRequest.js';
import type { WatchMyPageResponse as _outerpark_customercenter_v1_WatchMyPageResponse, WatchMyPageResponse__Output as _outerpark_customercenter_v1_WatchMyPageResponse__Output } from '../../../outerpark/customercenter/v1/WatchMyPageResponse.js';

export interface CustomerCenterServiceClient extends grpc.Client {
  GetMyPage(argument: _outerpark_customercenter_v1_GetMyPageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_customercenter_v1_GetMyPageResponse__Output>): grpc.ClientUnaryCall;
  GetMyPage(argument: _outerpark_customercenter_v1_GetMyPageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_customercenter_v1_GetMyPageResponse__Output>): grpc.ClientUnaryCall;
  GetMyPage(argument: _outerpark_customercenter_v1_GetMyPageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_customercenter_v1_GetMyPageResponse__Output>): grpc.ClientUnaryCall;
  GetMyPage(argument: _outerpark_customercenter_v1_GetMyPageRequest, callback: grpc.requestCallback<_outerpark_customercenter_v1_GetMyPageResponse__Output>): grpc.ClientUnaryCall;
  getMyPage(argument: _outerpark_customercenter_v1_GetMyPageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_customercenter_v1_GetMyPageResponse__Output>): grpc.ClientUnaryCall;
  getMyPage(argument: _outerpark_customercenter_v1_GetMyPageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_customercenter_v1_GetMyPageResponse__Output>): grpc.ClientUnaryCall;
  getMyPage(argument: _outerpark_customercenter_v1_GetMyPageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_customercenter_v1_GetMyPageResponse__Output>): grpc.ClientUnaryCall;
  getMyPage(argument: _outerpark_customercenter_v1_GetMyPageRequest, callback: grpc.requestCallback<_outerpark_customercenter_v1_GetMyPageResponse__Output>): grpc.ClientUnaryCall;
  
  WatchMyPage(argument: _outerpark_customercenter_v1_WatchMyPageRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_outerpark_customercenter_v1_WatchMyPageResponse__Output>;
  WatchMyPage(argument: _outerpark_customercenter_v1_WatchMyPageRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_outerpark_customercenter_v1_WatchMyPageResponse__Output>;
  watchMyPage(argument: _outerpark_customercenter_v1_WatchMyPageRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_outerpark_customercenter_v1_WatchMyPageResponse__Output>;
  watchMyPage(argument: _outerpark_customercenter_v1_WatchMyPageRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_outerpark_customercenter_v1_WatchMyPageResponse__Output>;
  
}

export interface CustomerCenterServiceHandlers extends grpc.UntypedServiceImplementation {
  GetMyPage: grpc.handleUnaryCall<_outerpark_customercenter_v1_GetMyPageRequest__Output, _outerpark_customercenter_v1_GetMyPageResponse>;
  
  WatchMyPage: grpc.handleServerStreamingCall<_outerpark_customercenter_v1_WatchMyPageRequest__Output, _outerpark_customercenter_v1_WatchMyPageResponse>;
  
}

export interface CustomerCenterServiceDefinition extends grpc.ServiceDefinition {
  GetMyPage: MethodDefinition<_outerpark_customercenter_v1_GetMyPageRequest, _outerpark_customercenter_v1_GetMyPageResponse, _outerpark_customercenter_v1_GetMyPageRequest__Output, _outerpark_customercenter_v1_GetMyPageResponse__Output>
  WatchMyPage: MethodDefinition<_outerpark_customercenter_v1_WatchMyPageRequest, _outerpark_customercenter_v1_WatchMyPageResponse, _outerpark_customercenter_v1_WatchMyPageRequest__Output, _outerpark_customercenter_v1_WatchMyPageResponse__Output>
}
