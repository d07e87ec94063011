import { ContractRegistry } from '@netsentry/contracts';
import { toySchema, toyTask, type OpenBundle } from '@netsentry/ml';
import type { InboundMessage } from '@netsentry/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toyBundle } from '../../test/support/bundle-scorer';
import { toyLoadedModel } from '../../test/support/loaded-model';
import { jsonRows } from '../../test/support/toy-rows';
import { DriftWatch } from '../drift/drift-watch';
import type { InferenceSettings } from '../inference.config';
import type { LoadedModel } from '../model/model-holder';
import { packChunk, scoreChunk, scoreChunks, type ChunkInput } from './score-chunk';

// Chunks scored together (a round's partitions on the scoring thread): one model call, and each chunk gets
// exactly what it would have got alone — its predictions, keys, event ids and refusals — while the drift
// window observes every record once and its evaluation goes with the first chunk.

const contracts = ContractRegistry.bundled();
const schema = toySchema();
const test = toyTask(40, 11);
const rows = jsonRows(test.features);
let bundle: OpenBundle;
const producer = { service: 'inference', version: 'test' };

const drift: InferenceSettings['drift'] = {
  enabled: true,
  windowSize: 20,
  numericThreshold: 0.1,
  categoricalThreshold: 0.1,
  shareThreshold: 0.5,
  evaluateEveryMs: 0,
  retrain: false,
  cooldownMs: 60_000,
};

function loaded(): LoadedModel {
  return toyLoadedModel(bundle, schema);
}

/** Partition `p`'s chunk of rows [from, to): every third row of partition 1 misses a feature, row 5 is garbage. */
function chunk(p: number, from: number, to: number): ChunkInput {
  const messages: InboundMessage[] = [];
  for (let i = from; i < to; i++) {
    const { recordId, ...features } = rows[i]!;
    if (p === 1 && i % 3 === 0) delete features[schema.features[0]!.name];
    const value =
      i === 5
        ? Buffer.from([0x00, 0x01])
        : Buffer.from(JSON.stringify({ recordId, source: 'unit', features }));
    messages.push({
      topic: 'traffic.records',
      kafkaTopic: 'unit.traffic.records',
      partition: p,
      offset: String(100 + i),
      key: Buffer.from(String(recordId)),
      value,
      timestamp: Date.now(),
    });
  }
  return packChunk('v7', 'unit.traffic.records', p, Date.now(), messages);
}

const parts: [number, number, number][] = [
  [0, 0, 7],
  [1, 7, 19],
  [2, 19, 40],
];

function comparable(scored: ReturnType<typeof scoreChunk>) {
  const bytes = Buffer.from(scored.predictions);
  const predictions = Array.from({ length: scored.accepted }, (_, k) => {
    const start = scored.predictionSpans[k * 2]!;
    const p = contracts.decode(
      'traffic.predictions',
      bytes.subarray(start, start + scored.predictionSpans[k * 2 + 1]!),
    );
    return { eventId: p.envelope.eventId, recordId: p.recordId, score: p.score, label: p.label };
  });
  return { keys: scored.keys, rejected: scored.rejected, positives: scored.positives, predictions };
}

beforeAll(async () => {
  bundle = await toyBundle();
});
afterAll(() => bundle?.free());

describe('scoreChunks', () => {
  it('gives each chunk of a round what it would get scored alone, from one model call', () => {
    const model = loaded();
    const alone = parts.map(([p, from, to]) =>
      scoreChunk(
        { model, drift: new DriftWatch(drift, producer, 'toy', null), producer },
        chunk(p, from, to),
      ),
    );
    const together = scoreChunks(
      { model, drift: new DriftWatch(drift, producer, 'toy', null), producer },
      parts.map(([p, from, to]) => chunk(p, from, to)),
    );
    expect(together.map(comparable)).toEqual(alone.map(comparable));
    // Partition 1's refusals by their place in its own chunk; row 5 (garbage) in partition 0's.
    expect(together[0]!.rejected.map((r) => [r.index, r.code])).toEqual([[5, 'NOT_AVRO_OR_JSON']]);
    expect(together[1]!.rejected.map((r) => r.code)).toEqual(Array(4).fill('MISSING_FEATURE'));
    expect(together.reduce((n, s) => n + s.accepted, 0)).toBe(40 - 1 - 4);
    const expected = bundle.scoreFrame(test.features);
    expect(comparable(together[2]!).predictions.map((p) => p.score)).toEqual([...expected.subarray(19, 40)]);
  });

  it('feeds the drift window once with every record, its evaluation on the first chunk only', () => {
    const watch = new DriftWatch(drift, producer, 'toy', null);
    const together = scoreChunks(
      { model: loaded(), drift: watch, producer },
      parts.map(([p, from, to]) => chunk(p, from, to)),
    );
    expect(together[0]!.drift.report).not.toBeNull();
    expect(together[0]!.drift.report).toBe(watch.latest);
    expect(together.slice(1).map((s) => s.drift.report)).toEqual([null, null]);
  });
});
