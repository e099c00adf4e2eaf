// Original file: proto/outerpark/notice/v1/notice.proto

import type { Notification as _outerpark_notice_v1_Notification, Notification__Output as _outerpark_notice_v1_Notification__Output } from '../../../outerpark/notice/v1/Notification.js';

export interface ListNotificationsResponse {
  'notifications'?: (_outerpark_notice_v1_Notification)[];
  'nextPageToken'?: (string);
}

export interface ListNotificationsResponse__Output {
  'notifications': (_outerpark_notice_v1_Notification__Output)[];
  'nextPageToken': (string);
}
