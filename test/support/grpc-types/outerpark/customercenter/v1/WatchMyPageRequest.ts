// Original file: proto/outerpark/customercenter/v1/customercenter.proto


export interface WatchMyPageRequest {
  'pageSize'?: (number);
}

export interface WatchMyPageRequest__Output {
  'pageSize': (number);
}
