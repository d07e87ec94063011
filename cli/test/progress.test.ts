import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressBar } from '../src/progress';

function stream(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const s = new PassThrough() as unknown as NodeJS.WriteStream & { isTTY: boolean };
  s.isTTY = isTTY;
  let text = '';
  (s as unknown as PassThrough).on('data', (c: Buffer) => (text += c.toString()));
  return { stream: s, text: () => text };
}

describe('progressBar', () => {
  it('off a terminal, prints each decile once, keeps 100% for the end and then shows the true total', () => {
    const out = stream(false);
    const bar = progressBar(out.stream);
    bar.update(50, 100, '41,000 rows');
    bar.update(100, 100, '82,000 rows'); // every byte read; rows still being parsed
    bar.update(100, 100, '82,100 rows'); // same decile: not printed again
    bar.finish('82,332 rows');
    expect(out.text().trimEnd().split('\n')).toEqual([
      '50% 41,000 rows',
      '90% 82,000 rows',
      '100% 82,332 rows',
    ]);
  });

  it('on a terminal, shows at most 99% until the end, then a full bar with the true total', () => {
    const out = stream(true);
    const bar = progressBar(out.stream, 10);
    bar.update(100, 100, '82,000 rows');
    expect(out.text()).toContain('99% 82,000 rows');
    bar.finish('82,332 rows');
    expect(out.text().endsWith(`\r[${'#'.repeat(10)}] 100% 82,332 rows\u001b[K\n`)).toBe(true);
  });

  it('ends a failed run without claiming 100%', () => {
    const out = stream(false);
    const bar = progressBar(out.stream);
    bar.update(30, 100, '3 rows');
    bar.finish();
    expect(out.text()).toBe('30% 3 rows\n');
  });
});
