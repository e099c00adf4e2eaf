import { create, toBinary, type DescFile, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, type DescriptorProto, type EnumDescriptorProto, type FieldDescriptorProto } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { Health } from "#gen/grpc/health/v1/health_pb.js";
import * as v1 from "#gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "#gen/grpc/reflection/v1alpha/reflection_pb.js";

/** The request as both protocol versions shape it (they differ only in package name). */
interface ReflectionRequest {
  messageRequest:
    | { case: "fileByFilename" | "fileContainingSymbol" | "allExtensionNumbersOfType" | "listServices"; value: string }
    | { case: "fileContainingExtension"; value: { containingType: string; extensionNumber: number } }
    | { case: undefined; value?: undefined };
}

/** The answer as both protocol versions accept it in `create()`. */
type ReflectionAnswer =
  | { case: "fileDescriptorResponse"; value: { fileDescriptorProto: Uint8Array[] } }
  | { case: "allExtensionNumbersResponse"; value: { baseTypeName: string; extensionNumber: number[] } }
  | { case: "listServicesResponse"; value: { service: { name: string }[] } }
  | { case: "errorResponse"; value: { errorCode: number; errorMessage: string } };

/**
 * Implements grpc.reflection.v1.ServerReflection and grpc.reflection.v1alpha.ServerReflection
 * (https://github.com/grpc/grpc/blob/master/doc/server-reflection.md), so grpcurl, Postman and
 * similar tools can call the services without local .proto files.
 * Lists `services` plus the health and reflection services; describes every file they use.
 */
export function registerReflection(router: ConnectRouter, services: DescService[]): void {
  const index = new DescriptorIndex([...services, Health, v1.ServerReflection, v1alpha.ServerReflection]);

  router.service(v1.ServerReflection, {
    async *serverReflectionInfo(requests) {
      for await (const request of requests) {
        yield create(v1.ServerReflectionResponseSchema, {
          validHost: request.host,
          originalRequest: request,
          messageResponse: index.answer(request),
        });
      }
    },
  });
  // Same logic for older clients: earlier grpcurl releases and many GUIs ask for v1alpha only.
  router.service(v1alpha.ServerReflection, {
    async *serverReflectionInfo(requests) {
      for await (const request of requests) {
        yield create(v1alpha.ServerReflectionResponseSchema, {
          validHost: request.host,
          originalRequest: request,
          messageResponse: index.answer(request),
        });
      }
    },
  });
}

/** Built once: every file reachable from the services, and which file defines each symbol. */
class DescriptorIndex {
  readonly #serviceNames: string[];
  readonly #files = new Map<string, DescFile>();
  readonly #fileBySymbol = new Map<string, DescFile>();
  readonly #messageNames = new Set<string>();
  /** Extendee type name -> extension number -> defining file. */
  readonly #extensions = new Map<string, Map<number, DescFile>>();
  readonly #encoded = new Map<DescFile, Uint8Array>();

  constructor(services: DescService[]) {
    this.#serviceNames = [...new Set(services.map((service) => service.typeName))].sort();
    for (const service of services) this.#addFile(service.file);
  }

  answer(request: ReflectionRequest): ReflectionAnswer {
    const { messageRequest } = request;
    switch (messageRequest.case) {
      case "listServices":
        return {
          case: "listServicesResponse",
          value: { service: this.#serviceNames.map((name) => ({ name })) },
        };
      case "fileByFilename":
        return this.#describe(this.#files.get(messageRequest.value), `file ${messageRequest.value}`);
      case "fileContainingSymbol":
        return this.#describe(this.#fileBySymbol.get(messageRequest.value), `symbol ${messageRequest.value}`);
      case "fileContainingExtension": {
        const { containingType, extensionNumber } = messageRequest.value;
        return this.#describe(this.#extensions.get(containingType)?.get(extensionNumber), `extension ${extensionNumber} of ${containingType}`);
      }
      case "allExtensionNumbersOfType": {
        const typeName = messageRequest.value;
        if (!this.#messageNames.has(typeName)) return notFound(`message type ${typeName}`);
        return {
          case: "allExtensionNumbersResponse",
          value: { baseTypeName: typeName, extensionNumber: [...(this.#extensions.get(typeName)?.keys() ?? [])] },
        };
      }
      default:
        // As grpc-go does: a request without a question ends the stream.
        throw new ConnectError("reflection request names no message_request", Code.InvalidArgument);
    }
  }

  /**
   * The file first, then its transitive imports, every time: clients that keep no cache across
   * requests still get a self-contained set.
   */
  #describe(file: DescFile | undefined, what: string): ReflectionAnswer {
    if (file === undefined) return notFound(what);
    const closure = new Set<DescFile>([file]);
    for (const each of closure) for (const dependency of each.dependencies) closure.add(dependency);
    return {
      case: "fileDescriptorResponse",
      value: { fileDescriptorProto: [...closure].map((each) => this.#encode(each)) },
    };
  }

  #encode(file: DescFile): Uint8Array {
    let bytes = this.#encoded.get(file);
    if (bytes === undefined) {
      bytes = toBinary(FileDescriptorProtoSchema, file.proto);
      this.#encoded.set(file, bytes);
    }
    return bytes;
  }

  // Walks the FileDescriptorProto rather than DescFile so that every protobuf symbol is indexed,
  // map entry messages, oneofs and enum values included.
  #addFile(file: DescFile): void {
    const fileName = file.proto.name;
    if (this.#files.has(fileName)) return;
    this.#files.set(fileName, file);
    const { proto } = file;
    const scope = proto.package;
    for (const message of proto.messageType) this.#addMessage(file, scope, message);
    for (const enumType of proto.enumType) this.#addEnum(file, scope, enumType);
    for (const extension of proto.extension) this.#addExtension(file, scope, extension);
    for (const service of proto.service) {
      const serviceName = qualify(scope, service.name);
      this.#fileBySymbol.set(serviceName, file);
      for (const method of service.method) this.#fileBySymbol.set(qualify(serviceName, method.name), file);
    }
    for (const dependency of file.dependencies) this.#addFile(dependency);
  }

  #addMessage(file: DescFile, scope: string, message: DescriptorProto): void {
    const messageName = qualify(scope, message.name);
    this.#fileBySymbol.set(messageName, file);
    this.#messageNames.add(messageName);
    for (const field of message.field) this.#fileBySymbol.set(qualify(messageName, field.name), file);
    for (const oneof of message.oneofDecl) this.#fileBySymbol.set(qualify(messageName, oneof.name), file);
    for (const nested of message.nestedType) this.#addMessage(file, messageName, nested);
    for (const enumType of message.enumType) this.#addEnum(file, messageName, enumType);
    for (const extension of message.extension) this.#addExtension(file, messageName, extension);
  }

  #addEnum(file: DescFile, scope: string, enumType: EnumDescriptorProto): void {
    this.#fileBySymbol.set(qualify(scope, enumType.name), file);
    // Enum values are siblings of their enum in protobuf scoping (C++ rules), not its children.
    for (const value of enumType.value) this.#fileBySymbol.set(qualify(scope, value.name), file);
  }

  #addExtension(file: DescFile, scope: string, extension: FieldDescriptorProto): void {
    this.#fileBySymbol.set(qualify(scope, extension.name), file);
    const extendee = extension.extendee.replace(/^\./, "");
    let byNumber = this.#extensions.get(extendee);
    if (byNumber === undefined) {
      byNumber = new Map();
      this.#extensions.set(extendee, byNumber);
    }
    byNumber.set(extension.number, file);
  }
}

function qualify(scope: string, name: string): string {
  return scope === "" ? name : `${scope}.${name}`;
}

function notFound(what: string): ReflectionAnswer {
  return { case: "errorResponse", value: { errorCode: Code.NotFound, errorMessage: `${what} not found` } };
}
