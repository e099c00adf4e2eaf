/** One key's work in turns: a show's seat claims and reads at musical, the placements' writes at reservation. */
export type Outcome<R> = { value: R } | { error: unknown };

/**
 * Work per key taken in turns: while one turn runs, what arrives for its key
 * waits; the next turn takes all of it (up to maxBatch) at once. Every item is
 * answered by a turn that started after it arrived, so nothing sees a state
 * older than its own request.
 */
export class Turns<T, R> {
  readonly #queues = new Map<string, { item: T; resolve(result: R): void; reject(error: unknown): void }[]>();

  constructor(
    private readonly maxBatch: number,
    private readonly turn: (key: string, items: T[]) => Promise<Outcome<R>[]>,
  ) {}

  submit(key: string, item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(key);
      if (queue) return void queue.push({ item, resolve, reject });
      this.#queues.set(key, [{ item, resolve, reject }]);
      void this.#takeTurns(key);
    });
  }

  async #takeTurns(key: string): Promise<void> {
    const queue = this.#queues.get(key)!;
    while (queue.length > 0) {
      const batch = queue.splice(0, this.maxBatch);
      try {
        const outcomes = await this.turn(
          key,
          batch.map((w) => w.item),
        );
        batch.forEach((waiting, i) => {
          const outcome = outcomes[i]!;
          if ("error" in outcome) waiting.reject(outcome.error);
          else waiting.resolve(outcome.value);
        });
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    this.#queues.delete(key);
  }
}
