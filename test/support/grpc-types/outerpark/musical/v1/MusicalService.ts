// Original file: proto/outerpark/musical/v1/musical.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetMusicalRequest as _outerpark_musical_v1_GetMusicalRequest, GetMusicalRequest__Output as _outerpark_musical_v1_GetMusicalRequest__Output } from '../../../outerpark/musical/v1/GetMusicalRequest.js';
import type { GetMusicalResponse as _outerpark_musical_v1_GetMusicalResponse, GetMusicalResponse__Output as _outerpark_musical_v1_GetMusicalResponse__Output } from '../../../outerpark/musical/v1/GetMusicalResponse.js';
import type { ListMusicalsRequest as _outerpark_musical_v1_ListMusicalsRequest, ListMusicalsRequest__Output as _outerpark_musical_v1_ListMusicalsRequest__Output } from '../../../outerpark/musical/v1/ListMusicalsRequest.js';
import type { ListMusicalsResponse as _outerpark_musical_v1_ListMusicalsResponse, ListMusicalsResponse__Output as _outerpark_musical_v1_ListMusicalsResponse__Output } from '../../../outerpark/musical/v1/ListMusicalsResponse.js';
import type { RegisterMusicalRequest as _outerpark_musical_v1_RegisterMusicalRequest, RegisterMusicalRequest__Output as _outerpark_musical_v1_RegisterMusicalRequest__Output } from '../../../outerpark/musical/v1/RegisterMusicalRequest.js';
import type { RegisterMusicalResponse as _outerpark_musical_v1_RegisterMusicalResponse, RegisterMusicalResponse__Output as _outerpark_musical_v1_RegisterMusicalResponse__Output } from '../../../outerpark/musical/v1/RegisterMusicalResponse.js';
import type { ReleaseSeatsRequest as _outerpark_musical_v1_ReleaseSeatsRequest, ReleaseSeatsRequest__Output as _outerpark_musical_v1_ReleaseSeatsRequest__Output } from '../../../outerpark/musical/v1/ReleaseSeatsRequest.js';
import type { ReleaseSeatsResponse as _outerpark_musical_v1_ReleaseSeatsResponse, ReleaseSeatsResponse__Output as _outerpark_musical_v1_ReleaseSeatsResponse__Output } from '../../../outerpark/musical/v1/ReleaseSeatsResponse.js';
import type { ReserveSeatsRequest as _outerpark_musical_v1_ReserveSeatsRequest, ReserveSeatsRequest__Output as _outerpark_musical_v1_ReserveSeatsRequest__Output } from '../../../outerpark/musical/v1/ReserveSeatsRequest.js';
import type { ReserveSeatsResponse as _outerpark_musical_v1_ReserveSeatsResponse, ReserveSeatsResponse__Output as _outerpark_musical_v1_ReserveSeatsResponse__Output } from '../../../outerpark/musical/v1/ReserveSeatsResponse.js';

export interface MusicalServiceClient extends grpc.Client {
  GetMusical(argument: _outerpark_musical_v1_GetMusicalRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_musical_v1_GetMusicalResponse__Output>): grpc.ClientUnaryCall;
  GetMusical(argument: _outerpark_musical_v1_GetMusicalRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_musical_v1_GetMusicalResponse__Output>): grpc.ClientUnaryCall;
  GetMusical(argument: _outerpark_musical_v1_GetMusicalRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_musical_v1_GetMusicalResponse__Output>): grpc.ClientUnaryCall;
  GetMusical(argument: _outerpark_musical_v1_GetMusicalRequest, callback: grpc.requestCallback<_outerpark_musical_v1_GetMusicalResponse__Output>): grpc.ClientUnaryCall;
  getMusical(argument: _outerpark_musical_v1_GetMusicalRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_musical_v1_GetMusicalResponse__Output>): grpc.ClientUnaryCall;
  getMusical(argument: _outerpark_musical_v1_GetMusicalRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_musical_v1_GetMusicalResponse__Output>): grpc.ClientUnaryCall;
  getMusical(argument: _outerpark_musical_v1_GetMusicalRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_musical_v1_GetMusicalResponse__Output>): grpc.ClientUnaryCall;
  getMusical(argument: _outerpark_musical_v1_GetMusicalRequest, callback: grpc.requestCallback<_outerpark_musical_v1_GetMusicalResponse__Output>): grpc.ClientUnaryCall;
  
  ListMusicals(argument: _outerpark_musical_v1_ListMusicalsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_musical_v1_ListMusicalsResponse__Output>): grpc.ClientUnaryCall;
  ListMusicals(argument: _outerpark_musical_v1_ListMusicalsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_musical_v1_ListMusicalsResponse__Output>): grpc.ClientUnaryCall;
  ListMusicals(argument: _outerpark_musical_v1_ListMusicalsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_musical_v1_ListMusicalsResponse__Output>): grpc.ClientUnaryCall;
  ListMusicals(argument: _outerpark_musical_v1_ListMusicalsRequest, callback: grpc.requestCallback<_outerpark_musical_v1_ListMusicalsResponse__Output>): grpc.ClientUnaryCall;
  listMusicals(argument: _outerpark_musical_v1_ListMusicalsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_musical_v1_ListMusicalsResponse__Output>): grpc.ClientUnaryCall;
  listMusicals(argument: _outerpark_musical_v1_ListMusicalsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_musical_v1_ListMusicalsResponse__Output>): grpc.ClientUnaryCall;
  listMusicals(argument: _outerpark_musical_v1_ListMusicalsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_musical_v1_ListMusicalsResponse__Output>): grpc.ClientUnaryCall;
  listMusicals(argument: _outerpark_musical_v1_ListMusicalsRequest, callback: grpc.requestCallback<_outerpark_musical_v1_ListMusicalsResponse__Output>): grpc.ClientUnaryCall;
  
  RegisterMusical(argument: _outerpark_musical_v1_RegisterMusicalRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_musical_v1_RegisterMusicalResponse__Output>): grpc.ClientUnaryCall;
  RegisterMusical(argument: _outerpark_musical_v1_RegisterMusicalRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_musical_v1_RegisterMusicalResponse__Output>): grpc.ClientUnaryCall;
  RegisterMusical(argument: _outerpark_musical_v1_RegisterMusicalRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_musical_v1_RegisterMusicalResponse__Output>): grpc.ClientUnaryCall;
  RegisterMusical(argument: _outerpark_musical_v1_RegisterMusicalRequest, callback: grpc.requestCallback<_outerpark_musical_v1_RegisterMusicalResponse__Output>): grpc.ClientUnaryCall;
  registerMusical(argument: _outerpark_musical_v1_RegisterMusicalRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_musical_v1_RegisterMusicalResponse__Output>): grpc.ClientUnaryCall;
  registerMusical(argument: _outerpark_musical_v1_RegisterMusicalRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_musical_v1_RegisterMusicalResponse__Output>): grpc.ClientUnaryCall;
  registerMusical(argument: _outerpark_musical_v1_RegisterMusicalRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_musical_v1_RegisterMusicalResponse__Output>): grpc.ClientUnaryCall;
  registerMusical(argument: _outerpark_musical_v1_RegisterMusicalRequest, callback: grpc.requestCallback<_outerpark_musical_v1_RegisterMusicalResponse__Output>): grpc.ClientUnaryCall;
  
  ReleaseSeats(argument: _outerpark_musical_v1_ReleaseSeatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_musical_v1_ReleaseSeatsResponse__Output>): grpc.ClientUnaryCall;
  ReleaseSeats(argument: _outerpark_musical_v1_ReleaseSeatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_musical_v1_ReleaseSeatsResponse__Output>): grpc.ClientUnaryCall;
  ReleaseSeats(argument: _outerpark_musical_v1_ReleaseSeatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_musical_v1_ReleaseSeatsResponse__Output>): grpc.ClientUnaryCall;
  ReleaseSeats(argument: _outerpark_musical_v1_ReleaseSeatsRequest, callback: grpc.requestCallback<_outerpark_musical_v1_ReleaseSeatsResponse__Output>): grpc.ClientUnaryCall;
  releaseSeats(argument: _outerpark_musical_v1_ReleaseSeatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_musical_v1_ReleaseSeatsResponse__Output>): grpc.ClientUnaryCall;
  releaseSeats(argument: _outerpark_musical_v1_ReleaseSeatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_musical_v1_ReleaseSeatsResponse__Output>): grpc.ClientUnaryCall;
  releaseSeats(argument: _outerpark_musical_v1_ReleaseSeatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_musical_v1_ReleaseSeatsResponse__Output>): grpc.ClientUnaryCall;
  releaseSeats(argument: _outerpark_musical_v1_ReleaseSeatsRequest, callback: grpc.requestCallback<_outerpark_musical_v1_ReleaseSeatsResponse__Output>): grpc.ClientUnaryCall;
  
  ReserveSeats(argument: _outerpark_musical_v1_ReserveSeatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_musical_v1_ReserveSeatsResponse__Output>): grpc.ClientUnaryCall;
  ReserveSeats(argument: _outerpark_musical_v1_ReserveSeatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_musical_v1_ReserveSeatsResponse__Output>): grpc.ClientUnaryCall;
  ReserveSeats(argument: _outerpark_musical_v1_ReserveSeatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_musical_v1_ReserveSeatsResponse__Output>): grpc.ClientUnaryCall;
  ReserveSeats(argument: _outerpark_musical_v1_ReserveSeatsRequest, callback: grpc.requestCallback<_outerpark_musical_v1_ReserveSeatsResponse__Output>): grpc.ClientUnaryCall;
  reserveSeats(argument: _outerpark_musical_v1_ReserveSeatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_musical_v1_ReserveSeatsResponse__Output>): grpc.ClientUnaryCall;
  reserveSeats(argument: _outerpark_musical_v1_ReserveSeatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_musical_v1_ReserveSeatsResponse__Output>): grpc.ClientUnaryCall;
  reserveSeats(argument: _outerpark_musical_v1_ReserveSeatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_musical_v1_ReserveSeatsResponse__Output>): grpc.ClientUnaryCall;
  reserveSeats(argument: _outerpark_musical_v1_ReserveSeatsRequest, callback: grpc.requestCallback<_outerpark_musical_v1_ReserveSeatsResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface MusicalServiceHandlers extends grpc.UntypedServiceImplementation {
  GetMusical: grpc.handleUnaryCall<_outerpark_musical_v1_GetMusicalRequest__Output, _outerpark_musical_v1_GetMusicalResponse>;
  
  ListMusicals: grpc.handleUnaryCall<_outerpark_musical_v1_ListMusicalsRequest__Output, _outerpark_musical_v1_ListMusicalsResponse>;
  
  RegisterMusical: grpc.handleUnaryCall<_outerpark_musical_v1_RegisterMusicalRequest__Output, _outerpark_musical_v1_RegisterMusicalResponse>;
  
  ReleaseSeats: grpc.handleUnaryCall<_outerpark_musical_v1_ReleaseSeatsRequest__Output, _outerpark_musical_v1_ReleaseSeatsResponse>;
  
  ReserveSeats: grpc.handleUnaryCall<_outerpark_musical_v1_ReserveSeatsRequest__Output, _outerpark_musical_v1_ReserveSeatsResponse>;
  
}

export interface MusicalServiceDefinition extends grpc.ServiceDefinition {
  GetMusical: MethodDefinition<_outerpark_musical_v1_GetMusicalRequest, _outerpark_musical_v1_GetMusicalResponse, _outerpark_musical_v1_GetMusicalRequest__Output, _outerpark_musical_v1_GetMusicalResponse__Output>
  ListMusicals: MethodDefinition<_outerpark_musical_v1_ListMusicalsRequest, _outerpark_musical_v1_ListMusicalsResponse, _outerpark_musical_v1_ListMusicalsRequest__Output, _outerpark_musical_v1_ListMusicalsResponse__Output>
  RegisterMusical: MethodDefinition<_outerpark_musical_v1_RegisterMusicalRequest, _outerpark_musical_v1_RegisterMusicalResponse, _outerpark_musical_v1_RegisterMusicalRequest__Output, _outerpark_musical_v1_RegisterMusicalResponse__Output>
  ReleaseSeats: MethodDefinition<_outerpark_musical_v1_ReleaseSeatsRequest, _outerpark_musical_v1_ReleaseSeatsResponse, _outerpark_musical_v1_ReleaseSeatsRequest__Output, _outerpark_musical_v1_ReleaseSeatsResponse__Output>
  ReserveSeats: MethodDefinition<_outerpark_musical_v1_ReserveSeatsRequest, _outerpark_musical_v1_ReserveSeatsResponse, _outerpark_musical_v1_ReserveSeatsRequest__Output, _outerpark_musical_v1_ReserveSeatsResponse__Output>
}
