// Original file: proto/outerpark/reservation/v1/reservation.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CancelReservationRequest as _outerpark_reservation_v1_CancelReservationRequest, CancelReservationRequest__Output as _outerpark_reservation_v1_CancelReservationRequest__Output } from '../../../outerpark/reservation/v1/CancelReservationRequest.js';
import type { CancelReservationResponse as _outerpark_reservation_v1_CancelReservationResponse, CancelReservationResponse__Output as _outerpark_reservation_v1_CancelReservationResponse__Output } from '../../../outerpark/reservation/v1/CancelReservationResponse.js';
import type { GetReservationRequest as _outerpark_reservation_v1_GetReservationRequest, GetReservationRequest__Output as _outerpark_reservation_v1_GetReservationRequest__Output } from '../../../outerpark/reservation/v1/GetReservationRequest.js';
import type { GetReservationResponse as _outerpark_reservation_v1_GetReservationResponse, GetReservationResponse__Output as _outerpark_reservation_v1_GetReservationResponse__Output } from '../../../outerpark/reservation/v1/GetReservationResponse.js';
import type { ListReservationsRequest as _outerpark_reservation_v1_ListReservationsRequest, ListReservationsRequest__Output as _outerpark_reservation_v1_ListReservationsRequest__Output } from '../../../outerpark/reservation/v1/ListReservationsRequest.js';
import type { ListReservationsResponse as _outerpark_reservation_v1_ListReservationsResponse, ListReservationsResponse__Output as _outerpark_reservation_v1_ListReservationsResponse__Output } from '../../../outerpark/reservation/v1/ListReservationsResponse.js';
import type { PlaceReservationRequest as _outerpark_reservation_v1_PlaceReservationRequest, PlaceReservationRequest__Output as _outerpark_reservation_v1_PlaceReservationRequest__Output } from '../../../outerpark/reservation/v1/PlaceReservationRequest.js';
import type { PlaceReservationResponse as _outerpark_reservation_v1_PlaceReservationResponse, PlaceReservationResponse__Output as _outerpark_reservation_v1_PlaceReservationResponse__Output } from '../../../outerpark/reservation/v1/PlaceReservationResponse.js';

export interface ReservationServiceClient extends grpc.Client {
  CancelReservation(argument: _outerpark_reservation_v1_CancelReservationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_reservation_v1_CancelReservationResponse__Output>): grpc.ClientUnaryCall;
  CancelReservation(argument: _outerpark_reservation_v1_CancelReservationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_reservation_v1_CancelReservationResponse__Output>): grpc.ClientUnaryCall;
  CancelReservation(argument: _outerpark_reservation_v1_CancelReservationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_reservation_v1_CancelReservationResponse__Output>): grpc.ClientUnaryCall;
  CancelReservation(argument: _outerpark_reservation_v1_CancelReservationRequest, callback: grpc.requestCallback<_outerpark_reservation_v1_CancelReservationResponse__Output>): grpc.ClientUnaryCall;
  cancelReservation(argument: _outerpark_reservation_v1_CancelReservationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_reservation_v1_CancelReservationResponse__Output>): grpc.ClientUnaryCall;
  cancelReservation(argument: _outerpark_reservation_v1_CancelReservationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_reservation_v1_CancelReservationResponse__Output>): grpc.ClientUnaryCall;
  cancelReservation(argument: _outerpark_reservation_v1_CancelReservationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_reservation_v1_CancelReservationResponse__Output>): grpc.ClientUnaryCall;
  cancelReservation(argument: _outerpark_reservation_v1_CancelReservationRequest, callback: grpc.requestCallback<_outerpark_reservation_v1_CancelReservationResponse__Output>): grpc.ClientUnaryCall;
  
  GetReservation(argument: _outerpark_reservation_v1_GetReservationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_reservation_v1_GetReservationResponse__Output>): grpc.ClientUnaryCall;
  GetReservation(argument: _outerpark_reservation_v1_GetReservationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_reservation_v1_GetReservationResponse__Output>): grpc.ClientUnaryCall;
  GetReservation(argument: _outerpark_reservation_v1_GetReservationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_reservation_v1_GetReservationResponse__Output>): grpc.ClientUnaryCall;
  GetReservation(argument: _outerpark_reservation_v1_GetReservationRequest, callback: grpc.requestCallback<_outerpark_reservation_v1_GetReservationResponse__Output>): grpc.ClientUnaryCall;
  getReservation(argument: _outerpark_reservation_v1_GetReservationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_reservation_v1_GetReservationResponse__Output>): grpc.ClientUnaryCall;
  getReservation(argument: _outerpark_reservation_v1_GetReservationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_reservation_v1_GetReservationResponse__Output>): grpc.ClientUnaryCall;
  getReservation(argument: _outerpark_reservation_v1_GetReservationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_reservation_v1_GetReservationResponse__Output>): grpc.ClientUnaryCall;
  getReservation(argument: _outerpark_reservation_v1_GetReservationRequest, callback: grpc.requestCallback<_outerpark_reservation_v1_GetReservationResponse__Output>): grpc.ClientUnaryCall;
  
  ListReservations(argument: _outerpark_reservation_v1_ListReservationsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_reservation_v1_ListReservationsResponse__Output>): grpc.ClientUnaryCall;
  ListReservations(argument: _outerpark_reservation_v1_ListReservationsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_reservation_v1_ListReservationsResponse__Output>): grpc.ClientUnaryCall;
  ListReservations(argument: _outerpark_reservation_v1_ListReservationsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_reservation_v1_ListReservationsResponse__Output>): grpc.ClientUnaryCall;
  ListReservations(argument: _outerpark_reservation_v1_ListReservationsRequest, callback: grpc.requestCallback<_outerpark_reservation_v1_ListReservationsResponse__Output>): grpc.ClientUnaryCall;
  listReservations(argument: _outerpark_reservation_v1_ListReservationsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_reservation_v1_ListReservationsResponse__Output>): grpc.ClientUnaryCall;
  listReservations(argument: _outerpark_reservation_v1_ListReservationsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_reservation_v1_ListReservationsResponse__Output>): grpc.ClientUnaryCall;
  listReservations(argument: _outerpark_reservation_v1_ListReservationsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_reservation_v1_ListReservationsResponse__Output>): grpc.ClientUnaryCall;
  listReservations(argument: _outerpark_reservation_v1_ListReservationsRequest, callback: grpc.requestCallback<_outerpark_reservation_v1_ListReservationsResponse__Output>): grpc.ClientUnaryCall;
  
  PlaceReservation(argument: _outerpark_reservation_v1_PlaceReservationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_reservation_v1_PlaceReservationResponse__Output>): grpc.ClientUnaryCall;
  PlaceReservation(argument: _outerpark_reservation_v1_PlaceReservationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_reservation_v1_PlaceReservationResponse__Output>): grpc.ClientUnaryCall;
  PlaceReservation(argument: _outerpark_reservation_v1_PlaceReservationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_reservation_v1_PlaceReservationResponse__Output>): grpc.ClientUnaryCall;
  PlaceReservation(argument: _outerpark_reservation_v1_PlaceReservationRequest, callback: grpc.requestCallback<_outerpark_reservation_v1_PlaceReservationResponse__Output>): grpc.ClientUnaryCall;
  placeReservation(argument: _outerpark_reservation_v1_PlaceReservationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_reservation_v1_PlaceReservationResponse__Output>): grpc.ClientUnaryCall;
  placeReservation(argument: _outerpark_reservation_v1_PlaceReservationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_outerpark_reservation_v1_PlaceReservationResponse__Output>): grpc.ClientUnaryCall;
  placeReservation(argument: _outerpark_reservation_v1_PlaceReservationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_outerpark_reservation_v1_PlaceReservationResponse__Output>): grpc.ClientUnaryCall;
  placeReservation(argument: _outerpark_reservation_v1_PlaceReservationRequest, callback: grpc.requestCallback<_outerpark_reservation_v1_PlaceReservationResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface ReservationServiceHandlers extends grpc.UntypedServiceImplementation {
  CancelReservation: grpc.handleUnaryCall<_outerpark_reservation_v1_CancelReservationRequest__Output, _outerpark_reservation_v1_CancelReservationResponse>;
  
  GetReservation: grpc.handleUnaryCall<_outerpark_reservation_v1_GetReservationRequest__Output, _outerpark_reservation_v1_GetReservationResponse>;
  
  ListReservations: grpc.handleUnaryCall<_outerpark_reservation_v1_ListReservationsRequest__Output, _outerpark_reservation_v1_ListReservationsResponse>;
  
  PlaceReservation: grpc.handleUnaryCall<_outerpark_reservation_v1_PlaceReservationRequest__Output, _outerpark_reservation_v1_PlaceReservationResponse>;
  
}

export interface ReservationServiceDefinition extends grpc.ServiceDefinition {
  CancelReservation: MethodDefinition<_outerpark_reservation_v1_CancelReservationRequest, _outerpark_reservation_v1_CancelReservationResponse, _outerpark_reservation_v1_CancelReservationRequest__Output, _outerpark_reservation_v1_CancelReservationResponse__Output>
  GetReservation: MethodDefinition<_outerpark_reservation_v1_GetReservationRequest, _outerpark_reservation_v1_GetReservationResponse, _outerpark_reservation_v1_GetReservationRequest__Output, _outerpark_reservation_v1_GetReservationResponse__Output>
  ListReservations: MethodDefinition<_outerpark_reservation_v1_ListReservationsRequest, _outerpark_reservation_v1_ListReservationsResponse, _outerpark_reservation_v1_ListReservationsRequest__Output, _outerpark_reservation_v1_ListReservationsResponse__Output>
  PlaceReservation: MethodDefinition<_outerpark_reservation_v1_PlaceReservationRequest, _outerpark_reservation_v1_PlaceReservationResponse, _outerpark_reservation_v1_PlaceReservationRequest__Output, _outerpark_reservation_v1_PlaceReservationResponse__Output>
}
