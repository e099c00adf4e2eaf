// Original file: proto/outerpark/musical/v1/musical.proto


export interface ListMusicalsRequest {
  'pageSize'?: (number);
  'pageToken'?: (string);
}

export interface ListMusicalsRequest__Output {
  'pageSize': (number);
  'pageToken': (string);
}
