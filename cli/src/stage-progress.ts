import { parsePrometheusText, type MetricSample } from './inference-status';

/** One phase of a stage's long work that is under way, from its /metrics progress gauges. */
export interface PhaseAtWork {
  readonly stage: string;
  readonly phase: string;
  /** Share of the phase done, 0 ≤ ratio < 1. */
  readonly ratio: number;
  /** Estimated seconds left; null while the rate is not known yet. */
  readonly etaSeconds: number | null;
}

const RATIO = 'netsentry_stage_progress_ratio';
const ETA = 'netsentry_stage_progress_eta_seconds';

/**
 * The phases at work in one scrape: `netsentry_stage_progress_ratio{stage,phase}` below 1, each with its
 * `netsentry_stage_progress_eta_seconds` (negative: not known yet). A finished phase has ratio 1 and is
 * left out, so an idle service has none. Ordered as the service exposes them.
 */
export function phasesAtWork(samples: readonly MetricSample[]): PhaseAtWork[] {
  const key = (s: MetricSample): string => `${s.labels.stage ?? ''}\u0000${s.labels.phase ?? ''}`;
  const etas = new Map(samples.filter((s) => s.name === ETA).map((s) => [key(s), s.value]));
  return samples
    .filter((s) => s.name === RATIO && Number.isFinite(s.value) && s.value < 1)
    .map((s) => {
      const eta = etas.get(key(s));
      return {
        stage: s.labels.stage ?? '',
        phase: s.labels.phase ?? '',
        ratio: Math.max(0, s.value),
        etaSeconds: eta === undefined || !Number.isFinite(eta) || eta < 0 ? null : eta,
      };
    });
}

/** Scrapes a service's /metrics once for its phases at work. Throws when the scrape fails. */
export async function scrapeProgress(url: string, timeoutMs = 1_500): Promise<PhaseAtWork[]> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`/metrics answered ${res.status}`);
  }
  return phasesAtWork(parsePrometheusText(await res.text()));
}

/** Seconds as an operator reads a time left: `45 s`, `3 min 05 s`, `1 h 02 min`. */
export function formatEta(seconds: number | null): string {
  if (seconds === null) return 'time left not known yet';
  const s = Math.round(seconds);
  if (s < 60) return `about ${s} s left`;
  if (s < 3_600) return `about ${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s left`;
  return `about ${Math.floor(s / 3_600)} h ${String(Math.floor((s % 3_600) / 60)).padStart(2, '0')} min left`;
}

/** One line per phase at work: `transform  smote-neighbours  45.2%  about 1 min 12 s left`. */
export function formatPhase(p: PhaseAtWork): string {
  return `${p.phase}  ${(p.ratio * 100).toFixed(1)}%  ${formatEta(p.etaSeconds)}`;
}
