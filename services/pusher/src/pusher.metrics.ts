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
      'Moves of the production alias, by action (PUSH, ROLLBACK, PROMOTE)',
      ['action'],
    );
    this.refusals = metrics?.counter(
      'netsentry_pusher_refusals_total',
      'Pushes and operator commands refused, by reason code (VERIFICATION_FAILED, NOT_ACCEPTED, …)',
      ['reason'],
    );
    this.production = metrics?.gauge(
      'netsentry_pusher_production_info',
      'The model version the production alias points at (value 1, version in the label)',
      ['version'],
    );
    this.verification = metrics?.histogram(
      'netsentry_pusher_verification_seconds',
      'Time to load a bundle in isolation and re-score the sample records, by outcome',
      ['outcome'],
      [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    );
  }

  moved(action: AliasAction): void {
    this.moves?.inc({ action });
  }

  refused(reason: string): void {
    this.refusals?.inc({ reason });
  }

  productionIs(version: string): void {
    this.production?.reset();
    this.production?.set({ version }, 1);
  }

  verified(outcome: 'passed' | 'failed', seconds: number): void {
    this.verification?.observe({ outcome }, seconds);
  }
}
