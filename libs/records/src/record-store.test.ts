import { describe, expect, it } from 'vitest';
import { recordId, recordsCollectionName } from './record-store';

describe('recordId', () => {
  const sha = 'a'.repeat(64);

  it('sorts in the file line order, so a snapshot read by _id is the file in order', () => {
    const lines = [2, 10, 9, 100, 11_056, 1_000_000];
    const byId = [...lines].sort((a, b) => {
      const x = recordId({ fileSha256: sha, line: a });
      const y = recordId({ fileSha256: sha, line: b });
      return x < y ? -1 : x > y ? 1 : 0;
    });
    expect(byId).toEqual([2, 9, 10, 100, 11_056, 1_000_000]);
  });

  it('is the same for the same file and line, and differs between files', () => {
    expect(recordId({ fileSha256: sha, line: 7 })).toBe(`${'a'.repeat(32)}:0000000007`);
    expect(recordId({ fileSha256: 'b'.repeat(64), line: 7 })).not.toBe(
      recordId({ fileSha256: sha, line: 7 }),
    );
  });
});

describe('recordsCollectionName', () => {
  it('maps dataset names to safe collection names', () => {
    expect(recordsCollectionName('nsl-kdd')).toBe('records_nsl_kdd');
  });
});
