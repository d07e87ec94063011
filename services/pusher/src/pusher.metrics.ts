import type { Metrics } from '@netsentry/observability';
import type { AliasAction } from '@netsentry/registry';

/** The pusher's own series (`netsentry_pusher_*`); a no-op without a Metrics instance (unit tests). */
export class PusherMetrics {
  private readonly moves;
  private readonly refusals;
  private readonly production;
  private readonly verification;

  constructor(metrics?: Metrics) {
    this.moves = metrics?.counter(
      'netsentry_pusher_alias_moves_total',
      'Moves of the production aliases, by action (PUSH, ROLLBACK, PROMOTE) and dataset',
      ['action', 'dataset'],
    );
    this.refusals = metrics?.counter(
      'netsentry_pusher_refusals_total',
      'Pushes and operator commands refused, by reason code (VERIFICATION_FAILED, NOT_ACCEPTED, …)',
      ['reason'],
    );
    this.production = metrics?.gauge(
      'netsentry_pusher_production_info',
      "The model version each dataset's production alias points at (value 1, version and dataset in the labels)",
      ['version', 'dataset'],
    );
    this.verification = metrics?.histogram(
      'netsentry_pusher_verification_seconds',
      'Time to load a bundle in isolation and re-score the sample records, by outcome',
      ['outcome'],
      [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    );
  }

  private readonly serving = new Map<string, string>();

  moved(action: AliasAction, dataset: string): void {
    this.moves?.inc({ action, dataset });
  }

  refused(reason: string): void {
    this.refusals?.inc({ reason });
  }

  /** One series per dataset: the version it serves now (the series of the version it served is removed). */
  productionIs(dataset: string, version: string): void {
    const before = this.serving.get(dataset);
    if (before !== undefined && before !== version) this.production?.remove({ version: before, dataset });
    this.serving.set(dataset, version);
    this.production?.set({ version, dataset }, 1);
  }

  verified(outcome: 'passed' | 'failed', seconds: number): void {
    this.verification?.observe({ outcome }, seconds);
  }
}
