import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp.js';
import type { GetMusicalRequest as _outerpark_musical_v1_GetMusicalRequest, GetMusicalRequest__Output as _outerpark_musical_v1_GetMusicalRequest__Output } from './outerpark/musical/v1/GetMusicalRequest.js';
import type { GetMusicalResponse as _outerpark_musical_v1_GetMusicalResponse, GetMusicalResponse__Output as _outerpark_musical_v1_GetMusicalResponse__Output } from './outerpark/musical/v1/GetMusicalResponse.js';
import type { ListMusicalsRequest as _outerpark_musical_v1_ListMusicalsRequest, ListMusicalsRequest__Output as _outerpark_musical_v1_ListMusicalsRequest__Output } from './outerpark/musical/v1/ListMusicalsRequest.js';
import type { ListMusicalsResponse as _outerpark_musical_v1_ListMusicalsResponse, ListMusicalsResponse__Output as _outerpark_musical_v1_ListMusicalsResponse__Output } from './outerpark/musical/v1/ListMusicalsResponse.js';
import type { Musical as _outerpark_musical_v1_Musical, Musical__Output as _outerpark_musical_v1_Musical__Output } from './outerpark/musical/v1/Musical.js';
import type { MusicalServiceClient as _outerpark_musical_v1_MusicalServiceClient, MusicalServiceDefinition as _outerpark_musical_v1_MusicalServiceDefinition } from './outerpark/musical/v1/MusicalService.js';
import type { RegisterMusicalRequest as _outerpark_musical_v1_RegisterMusicalRequest, RegisterMusicalRequest__Output as _outerpark_musical_v1_RegisterMusicalRequest__Output } from './outerpark/musical/v1/RegisterMusicalRequest.js';
import type { RegisterMusicalResponse as _outerpark_musical_v1_RegisterMusicalResponse, RegisterMusicalResponse__Output as _outerpark_musical_v1_RegisterMusicalResponse__Output } from './outerpark/musical/v1/RegisterMusicalResponse.js';
import type { ReleaseSeatsRequest as _outerpark_musical_v1_ReleaseSeatsRequest, ReleaseSeatsRequest__Output as _outerpark_musical_v1_ReleaseSeatsRequest__Output } from './outerpark/musical/v1/ReleaseSeatsRequest.js';
import type { ReleaseSeatsResponse as _outerpark_musical_v1_ReleaseSeatsResponse, ReleaseSeatsResponse__Output as _outerpark_musical_v1_ReleaseSeatsResponse__Output } from './outerpark/musical/v1/ReleaseSeatsResponse.js';
import type { ReserveSeatsRequest as _outerpark_musical_v1_ReserveSeatsRequest, ReserveSeatsRequest__Output as _outerpark_musical_v1_ReserveSeatsRequest__Output } from './outerpark/musical/v1/ReserveSeatsRequest.js';
import type { ReserveSeatsResponse as _outerpark_musical_v1_ReserveSeatsResponse, ReserveSeatsResponse__Output as _outerpark_musical_v1_ReserveSeatsResponse__Output } from './outerpark/musical/v1/ReserveSeatsResponse.js';
import type { SeatHold as _outerpark_musical_v1_SeatHold, SeatHold__Output as _outerpark_musical_v1_SeatHold__Output } from './outerpark/musical/v1/SeatHold.js';

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
    musical: {
      v1: {
        GetMusicalRequest: MessageTypeDefinition<_outerpark_musical_v1_GetMusicalRequest, _outerpark_musical_v1_GetMusicalRequest__Output>
        GetMusicalResponse: MessageTypeDefinition<_outerpark_musical_v1_GetMusicalResponse, _outerpark_musical_v1_GetMusicalResponse__Output>
        HoldStatus: EnumTypeDefinition
        ListMusicalsRequest: MessageTypeDefinition<_outerpark_musical_v1_ListMusicalsRequest, _outerpark_musical_v1_ListMusicalsRequest__Output>
        ListMusicalsResponse: MessageTypeDefinition<_outerpark_musical_v1_ListMusicalsResponse, _outerpark_musical_v1_ListMusicalsResponse__Output>
        Musical: MessageTypeDefinition<_outerpark_musical_v1_Musical, _outerpark_musical_v1_Musical__Output>
        MusicalService: SubtypeConstructor<typeof grpc.Client, _outerpark_musical_v1_MusicalServiceClient> & { service: _outerpark_musical_v1_MusicalServiceDefinition }
        RegisterMusicalRequest: MessageTypeDefinition<_outerpark_musical_v1_RegisterMusicalRequest, _outerpark_musical_v1_RegisterMusicalRequest__Output>
        RegisterMusicalResponse: MessageTypeDefinition<_outerpark_musical_v1_RegisterMusicalResponse, _outerpark_musical_v1_RegisterMusicalResponse__Output>
        ReleaseSeatsRequest: MessageTypeDefinition<_outerpark_musical_v1_ReleaseSeatsRequest, _outerpark_musical_v1_ReleaseSeatsRequest__Output>
        ReleaseSeatsResponse: MessageTypeDefinition<_outerpark_musical_v1_ReleaseSeatsResponse, _outerpark_musical_v1_ReleaseSeatsResponse__Output>
        ReserveSeatsRequest: MessageTypeDefinition<_outerpark_musical_v1_ReserveSeatsRequest, _outerpark_musical_v1_ReserveSeatsRequest__Output>
        ReserveSeatsResponse: MessageTypeDefinition<_outerpark_musical_v1_ReserveSeatsResponse, _outerpark_musical_v1_ReserveSeatsResponse__Output>
        SeatHold: MessageTypeDefinition<_outerpark_musical_v1_SeatHold, _outerpark_musical_v1_SeatHold__Output>
      }
    }
  }
}

