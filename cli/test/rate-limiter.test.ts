import { describe, expect, it } from 'vitest';
import { TokenBucket, batchSizeForRate } from '../src/rate-limiter';

describe('TokenBucket', () => {
  it('lets a full bucket go at once, then paces each batch to the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(400, 8, () => now);
    expect(bucket.take(8)).toBe(0); // the initial burst
    expect(bucket.take(8)).toBeCloseTo(20); // 8 tokens at 400/s
    now += 20;
    expect(bucket.take(8)).toBeCloseTo(20);
  });

  it('sends 200 records at 400/s in about half a second when the caller waits as told', () => {
    let now = 0;
    const bucket = new TokenBucket(400, 8, () => now);
    for (let sent = 0; sent < 200; sent += 8) now += bucket.take(8);
    // The first 8 go at once: (200 - 8) / 400 s.
    expect(now).toBeCloseTo(480);
  });

  it('does not save up more than one burst while idle', () => {
    let now = 0;
    const bucket = new TokenBucket(100, 5, () => now);
    bucket.take(5);
    now += 10_000;
    expect(bucket.take(5)).toBe(0);
    expect(bucket.take(5)).toBeCloseTo(50);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new TokenBucket(0, 1)).toThrow(RangeError);
    expect(() => new TokenBucket(Number.NaN, 1)).toThrow(RangeError);
  });
});

describe('batchSizeForRate', () => {
  it('sends about every 20 ms at a given rate, never more than the maximum', () => {
    expect(batchSizeForRate(400, 2_000)).toBe(8);
    expect(batchSizeForRate(10, 2_000)).toBe(1);
    expect(batchSizeForRate(1_000_000, 2_000)).toBe(2_000);
    expect(batchSizeForRate(undefined, 2_000)).toBe(2_000);
  });
});
