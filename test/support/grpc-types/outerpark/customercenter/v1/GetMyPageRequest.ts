// Original file: proto/outerpark/customercenter/v1/customercenter.proto


export interface GetMyPageRequest {
  'pageSize'?: (number);
  'pageToken'?: (string);
}

export interface GetMyPageRequest__Output {
  'pageSize': (number);
  'pageToken': (string);
}
