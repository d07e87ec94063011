import { describe, expect, it } from 'vitest';

import { decideResampling } from './resampling-policy';

describe('resampling policy', () => {
  it('auto leaves a near-balanced train split alone and says why', () => {
    const d = decideResampling('auto', { negative: 53, positive: 47 });
    expect(d.method).toBe('none');
    expect(d.minorityShare).toBeCloseTo(0.47, 10);
    expect(d.reason).toBe('auto: minority share 0.47 ≥ 0.35, not resampled');
  });

  it('auto resamples below the threshold, whichever class is the minority', () => {
    expect(decideResampling('auto', { negative: 20, positive: 80 })).toMatchObject({
      method: 'smote-tomek',
      minShare: 0.35,
      minorityRows: 20,
      maxMinorityRows: 5_000,
      reason: 'auto: minority share 0.20 < 0.35 and 20 minority rows < 5,000, resampled with SMOTE-Tomek',
    });
    expect(decideResampling('auto', { negative: 900, positive: 100 }, 0.15).method).toBe('smote-tomek');
    expect(decideResampling('auto', { negative: 850, positive: 150 }, 0.15).method).toBe('none');
  });

  it('auto leaves a large minority alone whatever its share (decision 0101), and the limit is a setting', () => {
    const big = decideResampling('auto', { negative: 320_000, positive: 80_000 });
    expect(big).toMatchObject({ method: 'none', minorityRows: 80_000, maxMinorityRows: 5_000 });
    expect(big.reason).toBe(
      'auto: minority share 0.20 < 0.35 but 80,000 minority rows ≥ 5,000, not resampled',
    );
    expect(decideResampling('auto', { negative: 20_000, positive: 4_999 }).method).toBe('smote-tomek');
    expect(decideResampling('auto', { negative: 20_000, positive: 5_000 }).method).toBe('none');
    expect(decideResampling('auto', { negative: 320_000, positive: 80_000 }, 0.35, 100_000).method).toBe(
      'smote-tomek',
    );
    expect(() => decideResampling('auto', { negative: 1, positive: 1 }, 0.35, 0)).toThrow(/≥ 1/);
  });

  it('never prints a share just under the threshold as equal to it', () => {
    const d = decideResampling('auto', { negative: 651, positive: 349 });
    expect(d.method).toBe('smote-tomek');
    expect(d.reason).toContain('0.349 < 0.35');
  });

  it('smote-tomek and none ignore the share', () => {
    expect(decideResampling('smote-tomek', { negative: 50, positive: 50 })).toMatchObject({
      method: 'smote-tomek',
      minShare: null,
      reason: 'smote-tomek: always resampled (minority share 0.50)',
    });
    expect(decideResampling('none', { negative: 95, positive: 5 }).method).toBe('none');
  });

  it('refuses a threshold outside 0..0.5', () => {
    expect(() => decideResampling('auto', { negative: 1, positive: 1 }, 0.7)).toThrow(/0\.\.0\.5/);
  });
});
