/**
 * A token bucket that paces sends to `rate` tokens per second with at most `burst` tokens sent at once:
 * `take(n)` reserves n tokens and says how long to wait before sending them (0 when the bucket holds
 * enough). Reservations may overdraw the bucket, so a caller that always waits what it is told sends at
 * exactly `rate` on average, in steps of at most `burst`: smooth, not a second's worth at once.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`rate must be > 0, got ${rate}`);
    if (!(burst >= 1)) throw new RangeError(`burst must be >= 1, got ${burst}`);
    this.tokens = burst;
    this.last = now();
  }

  /** Reserves `n` tokens; resolves to the milliseconds to wait before using them. */
  take(n: number): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.rate;
  }
}

/**
 * Records per send at a given rate: about one send every 20 ms (so 400/s goes out 8 at a time, not 400
 * once a second), never more than `max`.
 */
export function batchSizeForRate(rate: number | undefined, max: number): number {
  if (rate === undefined) return max;
  return Math.max(1, Math.min(max, Math.ceil(rate / 50)));
}
