import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp.js';
import type { CustomerCenterServiceClient as _outerpark_customercenter_v1_CustomerCenterServiceClient, CustomerCenterServiceDefinition as _outerpark_customercenter_v1_CustomerCenterServiceDefinition } from './outerpark/customercenter/v1/CustomerCenterService.js';
import type { GetMyPageRequest as _outerpark_customercenter_v1_GetMyPageRequest, GetMyPageRequest__Output as _outerpark_customercenter_v1_GetMyPageRequest__Output } from './outerpark/customercenter/v1/GetMyPageRequest.js';
import type { GetMyPageResponse as _outerpark_customercenter_v1_GetMyPageResponse, GetMyPageResponse__Output as _outerpark_customercenter_v1_GetMyPageResponse__Output } from './outerpark/customercenter/v1/GetMyPageResponse.js';
import type { HistoryEntry as _outerpark_customercenter_v1_HistoryEntry, HistoryEntry__Output as _outerpark_customercenter_v1_HistoryEntry__Output } from './outerpark/customercenter/v1/HistoryEntry.js';
import type { MyNotification as _outerpark_customercenter_v1_MyNotification, MyNotification__Output as _outerpark_customercenter_v1_MyNotification__Output } from './outerpark/customercenter/v1/MyNotification.js';
import type { MyReservation as _outerpark_customercenter_v1_MyReservation, MyReservation__Output as _outerpark_customercenter_v1_MyReservation__Output } from './outerpark/customercenter/v1/MyReservation.js';
import type { WatchMyPageRequest as _outerpark_customercenter_v1_WatchMyPageRequest, WatchMyPageRequest__Output as _outerpark_customercenter_v1_WatchMyPageRequest__Output } from './outerpark/customercenter/v1/WatchMyPageRequest.js';
import type { WatchMyPageResponse as _outerpark_customercenter_v1_WatchMyPageResponse, WatchMyPageResponse__Output as _outerpark_customercenter_v1_WatchMyPageResponse__Output } from './outerpark/customercenter/v1/WatchMyPageResponse.js';
import type { ListNotificationsRequest as _outerpark_notice_v1_ListNotificationsRequest, ListNotificationsRequest__Output as _outerpark_notice_v1_ListNotificationsRequest__Output } from './outerpark/notice/v1/ListNotificationsRequest.js';
import type { ListNotificationsResponse as _outerpark_notice_v1_ListNotificationsResponse, ListNotificationsResponse__Output as _outerpark_notice_v1_ListNotificationsResponse__Output } from './outerpark/notice/v1/ListNotificationsResponse.js';
import type { NoticeServiceClient as _outerpark_notice_v1_NoticeServiceClient, NoticeServiceDefinition as _outerpark_notice_v1_NoticeServiceDefinition } from './outerpark/notice/v1/NoticeService.js';
import type { Notification as _outerpark_notice_v1_Notification, Notification__Output as _outerpark_notice_v1_Notification__Output } from './outerpark/notice/v1/Notification.js';
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
    customercenter: {
      v1: {
        CustomerCenterService: SubtypeConstructor<typeof grpc.Client, _outerpark_customercenter_v1_CustomerCenterServiceClient> & { service: _outerpark_customercenter_v1_CustomerCenterServiceDefinition }
        GetMyPageRequest: MessageTypeDefinition<_outerpark_customercenter_v1_GetMyPageRequest, _outerpark_customercenter_v1_GetMyPageRequest__Output>
        GetMyPageResponse: MessageTypeDefinition<_outerpark_customercenter_v1_GetMyPageResponse, _outerpark_customercenter_v1_GetMyPageResponse__Output>
        HistoryEntry: MessageTypeDefinition<_outerpark_customercenter_v1_HistoryEntry, _outerpark_customercenter_v1_HistoryEntry__Output>
        MyNotification: MessageTypeDefinition<_outerpark_customercenter_v1_MyNotification, _outerpark_customercenter_v1_MyNotification__Output>
        MyReservation: MessageTypeDefinition<_outerpark_customercenter_v1_MyReservation, _outerpark_customercenter_v1_MyReservation__Output>
        WatchMyPageRequest: MessageTypeDefinition<_outerpark_customercenter_v1_WatchMyPageRequest, _outerpark_customercenter_v1_WatchMyPageRequest__Output>
        WatchMyPageResponse: MessageTypeDefinition<_outerpark_customercenter_v1_WatchMyPageResponse, _outerpark_customercenter_v1_WatchMyPageResponse__Output>
      }
    }
    notice: {
      v1: {
        ListNotificationsRequest: MessageTypeDefinition<_outerpark_notice_v1_ListNotificationsRequest, _outerpark_notice_v1_ListNotificationsRequest__Output>
        ListNotificationsResponse: MessageTypeDefinition<_outerpark_notice_v1_ListNotificationsResponse, _outerpark_notice_v1_ListNotificationsResponse__Output>
        NoticeService: SubtypeConstructor<typeof grpc.Client, _outerpark_notice_v1_NoticeServiceClient> & { service: _outerpark_notice_v1_NoticeServiceDefinition }
        Notification: MessageTypeDefinition<_outerpark_notice_v1_Notification, _outerpark_notice_v1_Notification__Output>
        NotificationKind: EnumTypeDefinition
      }
    }
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

