import { ContractRegistry, SAMPLE_RUN_ID, sampleEvent } from '@netsentry/contracts';
import { describe, expect, it } from 'vitest';
import { encodeTrafficRecord } from '../src/replay-records';
import { formatTailLine, toTailEvent, type TailTopic } from '../src/tail-format';

const contracts = ContractRegistry.bundled();
const AT = Date.UTC(2026, 11, 1, 10, 15, 30, 123);

function message(value: Buffer | null, offset = '41') {
  return { offset, timestamp: String(AT), value };
}
function read(topic: TailTopic, value: Buffer | null) {
  return toTailEvent(topic, `it.${topic}`, 3, message(value));
}

describe('tail lines', () => {
  it('a prediction: time, record id, label, score, model, latencies, source, and the replayed line', () => {
    const event = read(
      'traffic.predictions',
      contracts.encode('traffic.predictions', {
        ...sampleEvent('traffic.predictions'),
        recordId: 'replay-1764585600123-17',
        source: 'netsentry-replay',
        label: 'phishing',
        score: 0.97314,
        latencyMs: 3.84,
        endToEndMs: 212.4,
      }),
    );
    expect(event).toMatchObject({
      kind: 'prediction',
      kafkaTopic: 'it.traffic.predictions',
      partition: 3,
      offset: '41',
      replay: { idPrefix: 'replay-1764585600123', line: 17 },
    });
    expect(formatTailLine(event)).toBe(
      '2026-12-01T10:15:30.123Z  replay-1764585600123-17  phishing  score=0.973  model=v42  latency=3.8ms  e2e=212ms  source=netsentry-replay  line=17',
    );
  });

  it('a prediction of a record from elsewhere has no replay line, and an unknown end-to-end time is "-"', () => {
    const event = read(
      'traffic.predictions',
      contracts.encode('traffic.predictions', { ...sampleEvent('traffic.predictions'), endToEndMs: null }),
    );
    expect(formatTailLine(event)).toBe(
      '2026-12-01T10:15:30.123Z  proxy-eu-1:000000918273  malicious  score=0.973  model=v42  latency=3.8ms  e2e=-  source=proxy-eu-1',
    );
  });

  it('a traffic dead letter names where it came from and the record its original bytes hold', () => {
    const original = encodeTrafficRecord('json', {
      recordId: 'probe-9',
      source: 'sensor-2',
      observedAt: AT,
      features: { x: 'oops' },
    });
    const event = read(
      'traffic.dlq',
      contracts.encode('traffic.dlq', {
        ...sampleEvent('traffic.dlq'),
        originalKey: null,
        originalValue: original,
        errorCode: 'WRONG_TYPE',
        reason: "x: 'oops' is not a number",
      }),
    );
    expect(formatTailLine(event)).toBe(
      "2026-12-01T10:15:30.123Z  traffic.dlq[3]@41  WRONG_TYPE  x: 'oops' is not a number  from=prod.traffic.records[7]@1048576  record=probe-9  source=sensor-2",
    );
  });

  it('a pipeline dead letter shows its key and attempts; its run when the original event decodes', () => {
    const event = read('pipeline.dlq', contracts.encode('pipeline.dlq', sampleEvent('pipeline.dlq')));
    expect(formatTailLine(event)).toBe(
      `2026-12-01T10:15:30.123Z  pipeline.dlq[3]@41  HANDLER_FAILED  xgboost exited with code 137 (out of memory)  from=prod.data.transformed[1]@42  key=${SAMPLE_RUN_ID}  attempts=5`,
    );
    const decodable = read(
      'pipeline.dlq',
      contracts.encode('pipeline.dlq', {
        ...sampleEvent('pipeline.dlq'),
        originalValue: contracts.encode('data.transformed', sampleEvent('data.transformed')),
      }),
    );
    expect(decodable).toMatchObject({ kind: 'dead-letter', runId: SAMPLE_RUN_ID });
    expect(formatTailLine(decodable)).toContain(`run=${SAMPLE_RUN_ID}`);
  });

  it('quarantines: run, dataset or model, verdict and every reason', () => {
    const data = read(
      'data.quarantined',
      contracts.encode('data.quarantined', sampleEvent('data.quarantined')),
    );
    expect(formatTailLine(data)).toBe(
      `2026-12-01T10:15:30.123Z  data.quarantined  run=${SAMPLE_RUN_ID}  dataset=${sampleEvent('data.quarantined').dataset.datasetName}  production=v41  INVALID_AND_DRIFTED: unexpected column 'Flow Bytes/s'; missing ratio of 'page_rank' 0.31 > allowed 0.20; share of drifted columns 0.40 > 0.30`,
    );
    const model = read(
      'model.quarantined',
      contracts.encode('model.quarantined', sampleEvent('model.quarantined')),
    );
    expect(formatTailLine(model)).toBe(
      `2026-12-01T10:15:30.123Z  model.quarantined  run=${SAMPLE_RUN_ID}  model=v42  TRAIN_TEST_GAP+PRODUCTION_MARGIN: train/test gap 0.048 ... f1 0.951 < required 0.960 (production 0.940 + margin 0.020)`,
    );
  });

  it('a message that does not decode is shown with the reason, never thrown', () => {
    const event = read('traffic.predictions', Buffer.from('{"not":"avro"}'));
    expect(event.kind).toBe('undecodable');
    expect(formatTailLine(event)).toMatch(
      /^2026-12-01T10:15:30.123Z {2}traffic.predictions\[3\]@41 {2}UNDECODABLE {2}\S/,
    );
    // Another topic's event on the predictions topic is refused by the contracts, not misread.
    const other = read('traffic.predictions', contracts.encode('traffic.dlq', sampleEvent('traffic.dlq')));
    expect(other.kind).toBe('undecodable');
  });
});
