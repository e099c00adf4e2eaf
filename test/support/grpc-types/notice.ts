import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp.js';
import type { ListNotificationsRequest as _outerpark_notice_v1_ListNotificationsRequest, ListNotificationsRequest__Output as _outerpark_notice_v1_ListNotificationsRequest__Output } from './outerpark/notice/v1/ListNotificationsRequest.js';
import type { ListNotificationsResponse as _outerpark_notice_v1_ListNotificationsResponse, ListNotificationsResponse__Output as _outerpark_notice_v1_ListNotificationsResponse__Output } from './outerpark/notice/v1/ListNotificationsResponse.js';
import type { NoticeServiceClient as _outerpark_notice_v1_NoticeServiceClient, NoticeServiceDefinition as _outerpark_notice_v1_NoticeServiceDefinition } from './outerpark/notice/v1/NoticeService.js';
import type { Notification as _outerpark_notice_v1_Notification, Notification__Output as _outerpark_notice_v1_Notification__Output } from './outerpark/notice/v1/Notification.js';

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
    notice: {
      v1: {
        ListNotificationsRequest: MessageTypeDefinition<_outerpark_notice_v1_ListNotificationsRequest, _outerpark_notice_v1_ListNotificationsRequest__Output>
        ListNotificationsResponse: MessageTypeDefinition<_outerpark_notice_v1_ListNotificationsResponse, _outerpark_notice_v1_ListNotificationsResponse__Output>
        NoticeService: SubtypeConstructor<typeof grpc.Client, _outerpark_notice_v1_NoticeServiceClient> & { service: _outerpark_notice_v1_NoticeServiceDefinition }
        Notification: MessageTypeDefinition<_outerpark_notice_v1_Notification, _outerpark_notice_v1_Notification__Output>
        NotificationKind: EnumTypeDefinition
      }
    }
  }
}

