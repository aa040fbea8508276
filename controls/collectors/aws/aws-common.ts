/** Pieces both AWS collectors (inventory, CloudWatch Logs) use. */

/**
 * Exponential backoff from a base the caller chooses; retries what the SDK classifies as throttling or
 * transient (5xx, timeouts, connection resets), like the standard strategy.
 */
export class ExponentialRetryStrategy {
  readonly mode = 'standard';
  constructor(
    private readonly maxAttempts: number,
    private readonly baseDelayMs: number,
  ) {}
  async acquireInitialRetryToken(_scope: string) {
    return token(0, 0);
  }
  async refreshRetryTokenForRetry(previous: { getRetryCount(): number }, info: { errorType: string }) {
    const count = previous.getRetryCount() + 1;
    if (count >= this.maxAttempts || (info.errorType !== 'THROTTLING' && info.errorType !== 'TRANSIENT')) throw new Error('no retry');
    return token(count, Math.min(this.baseDelayMs * 2 ** (count - 1), 20_000));
  }
  recordSuccess(_token: unknown): void {}
}
const token = (count: number, delay: number) => ({ getRetryCount: () => count, getRetryDelay: () => delay });

/** Runs `fn` over `items`, at most `limit` at a time, answers in input order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return out;
}
