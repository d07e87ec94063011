import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { featureSetId } from './feature-set';

describe('featureSetId', () => {
  it('is the documented digest of the names joined by newlines, so any producer can compute it', () => {
    const names = ['Flow Bytes/s', 'Destination Port', 'Protocol'];
    const digest = createHash('sha256').update('Flow Bytes/s\nDestination Port\nProtocol').digest('hex');
    expect(featureSetId(names)).toBe(`fs1:${digest.slice(0, 16)}`);
  });

  it('changes with the order and the names', () => {
    expect(featureSetId(['a', 'b'])).not.toBe(featureSetId(['b', 'a']));
    expect(featureSetId(['a', 'b'])).not.toBe(featureSetId(['a', 'c']));
  });
});
