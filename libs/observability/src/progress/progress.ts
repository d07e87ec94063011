import type { Metrics } from '../metrics/metrics';

/** What progress needs of a logger: pino's `info(object, message)`. */
export interface ProgressLogger {
  info(bindings: Record<string, unknown>, message: string): void;
}

export interface ProgressOptions {
  /** The stage doing the work (the `stage` label). */
  readonly stage: string;
  readonly logger: ProgressLogger;
  /** Where `netsentry_stage_progress_ratio` and `netsentry_stage_progress_eta_seconds` go; none: log only. */
  readonly metrics?: Metrics | undefined;
  /** Fields every progress line carries (e.g. the run id). */
  readonly bindings?: Record<string, unknown>;
  /** Least time between two progress lines (default 5 s). */
  readonly intervalMs?: number;
  /** Clock in ms; injectable for tests. */
  readonly now?: () => number;
}

/** One phase of long work: rows (or items) done out of a known total. */
export interface PhaseProgress {
  /** `n` more done. */
  advance(n: number): void;
  /** `done` in all (never goes back). */
  update(done: number): void;
  /** The phase is over: the ratio goes to 1, and a line says how long it took when that was long. */
  finish(): void;
}

/**
 * Progress of a stage's long work, in its log and in its metrics: which phase, how many rows done of how
 * many, the rate and the estimated time left. A line is written at most every `intervalMs` (so a quick
 * phase writes nothing), and the gauges are always current:
 * `netsentry_stage_progress_ratio{stage,phase}` (0..1) and `netsentry_stage_progress_eta_seconds`.
 */
export class Progress {
  private readonly intervalMs: number;
  private readonly now: () => number;
  private lastLine: number;
  private readonly ratio: ReturnType<Metrics['gauge']> | undefined;
  private readonly eta: ReturnType<Metrics['gauge']> | undefined;

  constructor(private readonly options: ProgressOptions) {
    this.intervalMs = options.intervalMs ?? 5_000;
    this.now = options.now ?? (() => performance.now());
    this.lastLine = this.now();
    this.ratio = options.metrics?.gauge(
      'netsentry_stage_progress_ratio',
      'Share of the current phase of long work done (0..1), by stage and phase',
      ['stage', 'phase'],
    );
    this.eta = options.metrics?.gauge(
      'netsentry_stage_progress_eta_seconds',
      'Estimated seconds left in the current phase of long work, by stage and phase',
      ['stage', 'phase'],
    );
  }

  /** Starts a phase of `total` rows (or items). */
  phase(name: string, total: number): PhaseProgress {
    const started = this.now();
    let done = 0;
    let finished = false;
    const labels = { stage: this.options.stage, phase: name };
    const report = (force: boolean): void => {
      const now = this.now();
      const seconds = (now - started) / 1000;
      const rate = seconds > 0 ? done / seconds : 0;
      const left = Math.max(0, total - done);
      const etaSeconds = rate > 0 ? left / rate : null;
      this.ratio?.set(labels, total > 0 ? Math.min(1, done / total) : 1);
      this.eta?.set(labels, finished ? 0 : (etaSeconds ?? -1));
      if (!force && now - this.lastLine < this.intervalMs) return;
      this.lastLine = now;
      this.options.logger.info(
        {
          ...this.options.bindings,
          phase: name,
          done,
          total,
          ratio: total > 0 ? Number((done / total).toFixed(3)) : 1,
          ratePerSecond: Math.round(rate),
          ...(finished
            ? { seconds: Number(seconds.toFixed(1)) }
            : { etaSeconds: etaSeconds === null ? null : Math.round(etaSeconds) }),
        },
        finished ? `${name} done` : `${name} in progress`,
      );
    };
    report(false);
    return {
      advance: (n) => {
        done = Math.min(total, done + n);
        report(false);
      },
      update: (d) => {
        done = Math.min(total, Math.max(done, d));
        report(false);
      },
      finish: () => {
        if (finished) return;
        finished = true;
        done = total;
        // A phase that took longer than one interval says it is over; a quick one stays quiet.
        report(this.now() - started >= this.intervalMs);
      },
    };
  }
}
