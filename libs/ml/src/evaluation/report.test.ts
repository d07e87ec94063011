import { describe, expect, it } from 'vitest';
import type { Frame } from '../frame';
import { EvaluationReportError, frameFromJson, frameToJson, parseEvaluationReport } from './report';

const frame: Frame = {
  rows: 3,
  columns: [
    { kind: 'numeric', name: 'having_IP_Address', values: Float64Array.from([1, Number.NaN, -1]) },
    { kind: 'categorical', name: 'protocol_type', values: ['tcp', null, 'udp'] },
  ],
};

describe('evaluation report samples', () => {
  it('round-trips a frame through JSON, missing values included', () => {
    const json = JSON.parse(JSON.stringify(frameToJson(frame))) as ReturnType<typeof frameToJson>;
    expect(json.columns[0]!.values).toEqual([1, null, -1]);
    const back = frameFromJson(json);
    expect(back.rows).toBe(3);
    const numeric = back.columns[0]!;
    expect(numeric.kind).toBe('numeric');
    expect(Array.from(numeric.values as Float64Array)).toEqual([1, Number.NaN, -1]);
    expect(back.columns[1]!.values).toEqual(['tcp', null, 'udp']);
  });

  it('refuses a report whose sample scores do not match its records', () => {
    const report = {
      format: 'netsentry/evaluation-report@1',
      runId: 'run-1',
      modelVersion: 'm-1',
      bundle: { uri: 's3://b/runs/run-1/model/bundle/abc.json', sha256: 'abc' },
      samples: { records: frameToJson(frame), scores: [0.1, 0.2] },
    };
    expect(() => parseEvaluationReport(JSON.stringify(report))).toThrow(EvaluationReportError);
    expect(() => parseEvaluationReport(JSON.stringify(report))).toThrow(/samples.scores must be 3 numbers/);
    const ok = parseEvaluationReport(
      JSON.stringify({ ...report, samples: { ...report.samples, scores: [0, 0.5, 1] } }),
    );
    expect(ok.modelVersion).toBe('m-1');
    expect(() => parseEvaluationReport('{"format":"other"}')).toThrow(
      /expected netsentry\/evaluation-report@1/,
    );
  });
});
