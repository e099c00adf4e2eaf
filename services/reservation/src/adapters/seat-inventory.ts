import { Code, ConnectError, createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { Logger } from "pino";
import { bearerInterceptor } from "#kit/auth.js";
import { BrokenCircuitError, TaskCancelledError, createBreaker, type Breaker } from "#kit/breaker.js";
import { MusicalService } from "#gen/outerpark/musical/v1/musical_pb.js";

export interface TakenSeats {
  musicalName: string;
  amount: bigint;
}

/** The musical service could not answer: the outcome of the call is unknown. */
export class SeatServiceUnavailable extends Error {}

/** The synchronous seat call to musical, with a deadline and a circuit breaker. */
export class SeatInventory {
  readonly #client: Client<typeof MusicalService>;
  readonly #breaker: Breaker;
  readonly #timeoutMs: number;

  /** `observers`: the service's client interceptors (spans, metrics), ahead of the token. */
  constructor(options: { baseUrl: string; token: () => Promise<string>; timeoutMs: number; logger: Logger; observers: Interceptor[] }) {
    this.#client = createClient(
      MusicalService,
      createGrpcTransport({
        baseUrl: options.baseUrl,
        interceptors: [...options.observers, bearerInterceptor(options.token)],
        pingIntervalMs: 10_000,
      }),
    );
    this.#timeoutMs = options.timeoutMs;
    this.#breaker = createBreaker({
      name: "musical",
      logger: options.logger,
      timeoutMs: options.timeoutMs + 250,
      failuresToOpen: 5,
      halfOpenAfterMs: 3_000,
      isFailure: isUnavailable,
    });
  }

  get breakerState(): string {
    return this.#breaker.state;
  }

  /** Business refusals (FAILED_PRECONDITION, NOT_FOUND, ...) pass through as ConnectErrors. */
  async take(reservationId: string, musicalId: string, seats: number, customerId: string): Promise<TakenSeats> {
    const response = await this.#call((signal) =>
      this.#client.reserveSeats({ reservationId, musicalId, seats, customerId }, { timeoutMs: this.#timeoutMs, signal }),
    );
    return { musicalName: response.musicalName, amount: response.amount };
  }

  /** Returns the seats of an aborted placement, or bars them if they never arrived. */
  async release(reservationId: string): Promise<void> {
    await this.#call((signal) => this.#client.releaseSeats({ reservationId }, { timeoutMs: this.#timeoutMs, signal }));
  }

  async #call<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await this.#breaker.execute(call);
    } catch (error) {
      if (error instanceof BrokenCircuitError || error instanceof TaskCancelledError || isUnavailable(error)) {
        throw new SeatServiceUnavailable(String(error));
      }
      throw error;
    }
  }
}

function isUnavailable(error: unknown): boolean {
  if (!(error instanceof ConnectError)) return !(error instanceof BrokenCircuitError);
  return [Code.Unavailable, Code.DeadlineExceeded, Code.Internal, Code.Unknown, Code.ResourceExhausted, Code.Aborted, Code.Canceled].includes(
    error.code,
  );
}
