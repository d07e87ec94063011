import { setTimeout as sleep } from 'node:timers/promises';

/** One sample line of the Prometheus text exposition format. */
export interface MetricSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?\s*$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/gy;

/**
 * The samples of a Prometheus text exposition (comments and blank lines skipped; label values unescaped).
 * Only what `netsentry status` reads is needed, so no types or histograms are interpreted — see decision 0045.
 */
export function parsePrometheusText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.length === 0 || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    if (m[2] !== undefined) {
      LABEL.lastIndex = 0;
      let l: RegExpExecArray | null;
      while ((l = LABEL.exec(m[2])) !== null) {
        labels[l[1]!] = l[2]!.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
      }
    }
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    samples.push({ name: m[1]!, labels, value });
  }
  return samples;
}

/** What one scrape of inference's /metrics says. */
export interface InferenceSnapshot {
  /** `netsentry_inference_model_info{version,dataset}`: the model it serves, null before one is loaded. */
  readonly servedVersion: string | null;
  readonly dataset: string | null;
  /** `netsentry_inference_records_total`: live records consumed since the process started. */
  readonly recordsTotal: number | null;
  /** Sum over partitions of `netsentry_consumer_lag` for its traffic.records topic; null before a batch. */
  readonly lag: number | null;
}

export function inferenceSnapshot(samples: readonly MetricSample[]): InferenceSnapshot {
  const served = samples.find((s) => s.name === 'netsentry_inference_model_info' && s.value === 1);
  const records = samples.find((s) => s.name === 'netsentry_inference_records_total');
  const lags = samples.filter(
    (s) =>
      s.name === 'netsentry_consumer_lag' &&
      (s.labels.topic === 'traffic.records' || (s.labels.topic ?? '').endsWith('.traffic.records')),
  );
  return {
    servedVersion: served?.labels.version ?? null,
    dataset: served?.labels.dataset ?? null,
    recordsTotal: records?.value ?? null,
    lag: lags.length === 0 ? null : lags.reduce((sum, s) => sum + s.value, 0),
  };
}

/** Inference as `netsentry status` shows it. */
export interface InferenceStatus extends InferenceSnapshot {
  /**
   * Records consumed per second between two scrapes `intervalMs` apart (the current rate, not the
   * average since start); null when a scrape failed or the counter reset in between.
   */
  readonly recordsPerSecond: number | null;
}

/** Records/s from two snapshots `ms` apart; null when unknown or the counter went back (a restart). */
export function recordRate(first: InferenceSnapshot, second: InferenceSnapshot, ms: number): number | null {
  if (first.recordsTotal === null || second.recordsTotal === null || ms <= 0) return null;
  const delta = second.recordsTotal - first.recordsTotal;
  return delta < 0 ? null : (delta * 1_000) / ms;
}

async function scrape(url: string, timeoutMs: number): Promise<InferenceSnapshot> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`/metrics answered ${res.status}`);
  }
  return inferenceSnapshot(parsePrometheusText(await res.text()));
}

/**
 * Scrapes inference's /metrics twice, `intervalMs` apart (default 1 s), for the served version, records/s
 * and consumer lag. Throws when a scrape fails.
 */
export async function inferenceStatus(
  url: string,
  options: { intervalMs?: number; timeoutMs?: number } = {},
): Promise<InferenceStatus> {
  const intervalMs = options.intervalMs ?? 1_000;
  const timeoutMs = options.timeoutMs ?? 1_500;
  const first = await scrape(url, timeoutMs);
  const t0 = performance.now();
  await sleep(intervalMs);
  const second = await scrape(url, timeoutMs);
  return { ...second, recordsPerSecond: recordRate(first, second, performance.now() - t0) };
}
