import { createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { CustomerCenterService } from "#gen/outerpark/customercenter/v1/customercenter_pb.js";
import { MusicalService } from "#gen/outerpark/musical/v1/musical_pb.js";
import { ReservationService } from "#gen/outerpark/reservation/v1/reservation_pb.js";

export type ServiceName = "musical" | "reservation" | "customercenter";

/** Served by the app's static server as /config.json: where the APIs are and how to sign in. */
export interface AppConfig {
  /** Base URL per service; "" = this page's origin (the Kubernetes edge serves app and APIs together). */
  services: Record<ServiceName, string>;
  /** The development sign-in (POST /dev/sign-in): `make up` and tests only, never in the chart. */
  devSignIn: boolean;
  /** Production sign-in with an OpenID Connect provider. */
  oidc?: { issuer: string; clientId: string; roleClaim?: string; roleMap?: Record<string, string> };
}

export async function loadConfig(): Promise<AppConfig> {
  const response = await fetch("/config.json");
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  return (await response.json()) as AppConfig;
}

export interface Api {
  transports: Record<ServiceName, Transport>;
  musical: Client<typeof MusicalService>;
  reservation: Client<typeof ReservationService>;
  customercenter: Client<typeof CustomerCenterService>;
}

/** One Connect transport per service, each sending the current token (if any). */
export function createApi(config: AppConfig, token: () => string | undefined): Api {
  const bearer: Interceptor = (next) => (req) => {
    const current = token();
    if (current) req.header.set("authorization", `Bearer ${current}`);
    return next(req);
  };
  const transport = (name: ServiceName) =>
    createConnectTransport({ baseUrl: config.services[name] || window.location.origin, interceptors: [bearer] });
  const transports = { musical: transport("musical"), reservation: transport("reservation"), customercenter: transport("customercenter") };
  return {
    transports,
    musical: createClient(MusicalService, transports.musical),
    reservation: createClient(ReservationService, transports.reservation),
    customercenter: createClient(CustomerCenterService, transports.customercenter),
  };
}
