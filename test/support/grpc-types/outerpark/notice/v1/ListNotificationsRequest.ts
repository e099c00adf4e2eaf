// Original file: proto/outerpark/notice/v1/notice.proto


export interface ListNotificationsRequest {
  'pageSize'?: (number);
  'pageToken'?: (string);
}

export interface ListNotificationsRequest__Output {
  'pageSize': (number);
  'pageToken': (string);
}
