import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deadLetterEventId, NETSENTRY_ID_NAMESPACE, outputEventId, uuidV5 } from './ids';

describe('uuidV5', () => {
  it('matches the RFC 9562 test vector (DNS namespace, www.example.com)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });
});

describe('outputEventId', () => {
  it('is the same for the same stage, input and index, and differs otherwise', () => {
    const id = outputEventId('trainer', 'e-1', 0);
    expect(outputEventId('trainer', 'e-1', 0)).toBe(id);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(
      new Set([
        id,
        outputEventId('trainer', 'e-1', 1),
        outputEventId('trainer', 'e-2', 0),
        outputEventId('evaluator', 'e-1', 0),
      ]).size,
    ).toBe(4);
    expect(deadLetterEventId('trainer', 'e-1')).not.toBe(id);
  });
});

describe('uuidV5 on any name', () => {
  // The reference: RFC 9562 §5.5 step by step, with a Hash object.
  function reference(name: string, namespace: string): string {
    const bytes = createHash('sha1')
      .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
      .update(name, 'utf8')
      .digest()
      .subarray(0, 16);
    bytes[6] = (bytes[6]! & 0x0f) | 0x50;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  it('equals the reference for short, long (past its scratch buffer) and non-ASCII names', () => {
    const names = [
      '',
      'inference/t/0/0',
      ...Array.from({ length: 200 }, (_, i) => `inference/bench.traffic.records/${i % 12}/${i * 7919}`),
      'é→✓ 流量',
      'x'.repeat(5_000),
      '✓'.repeat(1_400),
    ];
    for (const name of names) {
      expect(uuidV5(name)).toBe(reference(name, NETSENTRY_ID_NAMESPACE));
      expect(uuidV5(name, '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
        reference(name, '6ba7b810-9dad-11d1-80b4-00c04fd430c8'),
      );
    }
  });
});
