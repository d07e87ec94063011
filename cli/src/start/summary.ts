import type { TrafficReport } from './traffic';

export interface StageLine {
  readonly stage: string;
  readonly status: string;
  readonly durationMs: number | null;
  readonly attempts: number | null;
  readonly detail: string | null;
}

/** What `npm start` prints at the end of its job (and writes as JSON with --summary-json). */
export interface StartSummary {
  readonly dataset: string;
  readonly run: {
    readonly runId: string;
    readonly status: string;
    readonly reason: string | null;
    /** Trained by this start (false: the production model was there already). */
    readonly trainedNow: boolean;
    readonly startedAt: string;
    readonly endedAt: string | null;
    readonly stages: readonly StageLine[];
  } | null;
  readonly model: {
    readonly version: string;
    readonly candidate: string;
    readonly cvF1: number | null;
    readonly testF1: number | null;
    readonly testPrecision: number | null;
    readonly testRecall: number | null;
  };
  readonly traffic: TrafficReport;
  /** From the command to the first live prediction. */
  readonly firstPredictionAfterMs: number | null;
  readonly services: readonly {
    readonly name: string;
    readonly url: string;
    readonly pid: number | null;
    readonly reused: boolean;
    readonly crashes: number;
    readonly log: string;
  }[];
  readonly urls: {
    readonly prometheus: string | null;
    readonly analystPage: string | null;
    readonly metrics: readonly string[];
    readonly logs: string;
  };
}

const num = (v: number | null, digits = 4): string => (v === null ? '—' : v.toFixed(digits));
const ms = (v: number | null): string =>
  v === null ? '—' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;
const count = (v: number): string => v.toLocaleString('en');

/** The summary for a person: what ran, what it made, what the live stream saw, and where to look. */
export function formatSummary(s: StartSummary): string {
  const lines: string[] = ['', `netsentry — dataset '${s.dataset}'`, ''];
  if (s.run !== null) {
    const started = Date.parse(s.run.startedAt);
    const ended = s.run.endedAt === null ? null : Date.parse(s.run.endedAt);
    lines.push(
      `run        ${s.run.runId}  ${s.run.status}${ended === null ? '' : ` in ${ms(ended - started)}`}${s.run.trainedNow ? '' : ' (earlier; production reused)'}`,
    );
    if (s.run.reason) lines.push(`           ${s.run.reason}`);
    for (const st of s.run.stages) {
      const retries = st.attempts !== null && st.attempts > 1 ? `, ${st.attempts} attempts` : '';
      lines.push(
        `  ${st.stage.padEnd(11)} ${st.status.padEnd(12)} ${ms(st.durationMs).padStart(8)}${retries}`,
      );
    }
  }
  const m = s.model;
  lines.push(
    `model      ${m.version}  ${m.candidate}, CV F1 ${num(m.cvF1)}`,
    `  test     F1 ${num(m.testF1)}  precision ${num(m.testPrecision)}  recall ${num(m.testRecall)}`,
  );
  const t = s.traffic;
  const versions = Object.entries(t.modelVersions)
    .map(([v, n]) => `${v} ×${count(n)}`)
    .join(', ');
  const labels = Object.entries(t.labels)
    .map(([l, n]) => `${l} ${count(n)}`)
    .join(', ');
  const dlq = Object.entries(t.deadLetteredByReason)
    .map(([r, n]) => `${r} ${count(n)}`)
    .join(', ');
  lines.push(
    `live       ${count(t.replayed)} test records replayed through Kafka in ${ms(t.replayMs)}`,
    `  scored   ${count(t.predicted)} (${labels || 'none'}), duplicates ${count(t.duplicates)}, missing ${count(t.missing)}`,
    `  DLQ      ${count(t.deadLettered)}${dlq ? ` (${dlq})` : ''}`,
    `  speed    ${t.throughputPerSec === null ? '—' : `${count(Math.round(t.throughputPerSec))} predictions/s`}, end-to-end p50 ${ms(t.p50Ms)}, p99 ${ms(t.p99Ms)}`,
    `  served   ${versions || '—'}`,
  );
  if (s.firstPredictionAfterMs !== null) {
    lines.push(`  first live prediction ${ms(s.firstPredictionAfterMs)} after the command`);
  }
  lines.push('', 'where to look');
  if (s.urls.analystPage) lines.push(`  analyst page  ${s.urls.analystPage}`);
  if (s.urls.prometheus) lines.push(`  Prometheus    ${s.urls.prometheus}/alerts`);
  const ports = s.services.map((x) => `${x.name} :${new URL(x.url).port}`).join(', ');
  lines.push(`  metrics       /metrics, /healthz, /readyz on each service: ${ports}`);
  lines.push(`  logs          ${s.urls.logs}/<service>.log`);
  const crashed = s.services.filter((x) => x.crashes > 0);
  if (crashed.length > 0) {
    lines.push(`  restarts      ${crashed.map((x) => `${x.name} ${x.crashes}`).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}
