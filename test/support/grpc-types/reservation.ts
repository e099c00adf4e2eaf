import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp.js';
import type { CancelReservationRequest as _outerpark_reservation_v1_CancelReservationRequest, CancelReservationRequest__Output as _outerpark_reservation_v1_CancelReservationRequest__Output } from './outerpark/reservation/v1/CancelReservationRequest.js';
import type { CancelReservationResponse as _outerpark_reservation_v1_CancelReservationResponse, CancelReservationResponse__Output as _outerpark_reservation_v1_CancelReservationResponse__Output } from './outerpark/reservation/v1/CancelReservationResponse.js';
import type { GetReservationRequest as _outerpark_reservation_v1_GetReservationRequest, GetReservationRequest__Output as _outerpark_reservation_v1_GetReservationRequest__Output } from './outerpark/reservation/v1/GetReservationRequest.js';
import type { GetReservationResponse as _outerpark_reservation_v1_GetReservationResponse, GetReservationResponse__Output as _outerpark_reservation_v1_GetReservationResponse__Output } from './outerpark/reservation/v1/GetReservationResponse.js';
import type { ListReservationsRequest as _outerpark_reservation_v1_ListReservationsRequest, ListReservationsRequest__Output as _outerpark_reservation_v1_ListReservationsRequest__Output } from './outerpark/reservation/v1/ListReservationsRequest.js';
import type { ListReservationsResponse as _outerpark_reservation_v1_ListReservationsResponse, ListReservationsResponse__Output as _outerpark_reservation_v1_ListReservationsResponse__Output } from './outerpark/reservation/v1/ListReservationsResponse.js';
import type { PlaceReservationRequest as _outerpark_reservation_v1_PlaceReservationRequest, PlaceReservationRequest__Output as _outerpark_reservation_v1_PlaceReservationRequest__Output } from './outerpark/reservation/v1/PlaceReservationRequest.js';
import type { PlaceReservationResponse as _outerpark_reservation_v1_PlaceReservationResponse, PlaceReservationResponse__Output as _outerpark_reservation_v1_PlaceReservationResponse__Output } from './outerpark/reservation/v1/PlaceReservationResponse.js';
import type { Reservation as _outerpark_reservation_v1_Reservation, Reservation__Output as _outerpark_reservation_v1_Reservation__Output } from './outerpark/reservation/v1/Reservation.js';
import type { ReservationServiceClient as _outerpark_reservation_v1_ReservationServiceClient, ReservationServiceDefinition as _outerpark_reservation_v1_ReservationServiceDefinition } from './outerpark/reservation/v1/ReservationService.js';

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
    reservation: {
      v1: {
        CancelReservationRequest: MessageTypeDefinition<_outerpark_reservation_v1_CancelReservationRequest, _outerpark_reservation_v1_CancelReservationRequest__Output>
        CancelReservationResponse: MessageTypeDefinition<_outerpark_reservation_v1_CancelReservationResponse, _outerpark_reservation_v1_CancelReservationResponse__Output>
        GetReservationRequest: MessageTypeDefinition<_outerpark_reservation_v1_GetReservationRequest, _outerpark_reservation_v1_GetReservationRequest__Output>
        GetReservationResponse: MessageTypeDefinition<_outerpark_reservation_v1_GetReservationResponse, _outerpark_reservation_v1_GetReservationResponse__Output>
        ListReservationsRequest: MessageTypeDefinition<_outerpark_reservation_v1_ListReservationsRequest, _outerpark_reservation_v1_ListReservationsRequest__Output>
        ListReservationsResponse: MessageTypeDefinition<_outerpark_reservation_v1_ListReservationsResponse, _outerpark_reservation_v1_ListReservationsResponse__Output>
        PaymentState: EnumTypeDefinition
        PlaceReservationRequest: MessageTypeDefinition<_outerpark_reservation_v1_PlaceReservationRequest, _outerpark_reservation_v1_PlaceReservationRequest__Output>
        PlaceReservationResponse: MessageTypeDefinition<_outerpark_reservation_v1_PlaceReservationResponse, _outerpark_reservation_v1_PlaceReservationResponse__Output>
        Reservation: MessageTypeDefinition<_outerpark_reservation_v1_Reservation, _outerpark_reservation_v1_Reservation__Output>
        ReservationService: SubtypeConstructor<typeof grpc.Client, _outerpark_reservation_v1_ReservationServiceClient> & { service: _outerpark_reservation_v1_ReservationServiceDefinition }
        ReservationStatus: EnumTypeDefinition
      }
    }
  }
}

