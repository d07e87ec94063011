import { Inject, Injectable, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { LOGGER, type Logger } from '@netsentry/observability';
import type { Registry } from '@netsentry/registry';
import { REGISTRY } from '@netsentry/runtime';
import { carryOverLegacyProduction } from './legacy-production';
import { ModelDatasets } from './model-datasets';
import { PusherMetrics } from './pusher.metrics';

/**
 * At start-up: carries a deployment-wide 'production' alias of an earlier release over to its dataset's
 * alias, then starts the production gauge from the registry, not from the first move after a restart.
 */
@Injectable()
export class ProductionAtStart implements OnApplicationBootstrap {
  constructor(
    @Inject(REGISTRY) private readonly registry: Registry,
    @Inject(ModelDatasets) private readonly datasets: ModelDatasets,
    @Inject(PusherMetrics) private readonly metrics: PusherMetrics,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      const carried = await carryOverLegacyProduction(this.registry, this.datasets);
      if (carried) this.logger?.info(carried, 'legacy production alias carried over to its dataset');
      const productions = await this.registry.productions();
      for (const p of productions) this.metrics.productionIs(p.dataset, p.version);
      this.logger?.info(
        { production: Object.fromEntries(productions.map((p) => [p.dataset, p.version])) },
        'production aliases read',
      );
    } catch (e) {
      this.logger?.warn({ err: (e as Error).message }, 'production aliases could not be read at start-up');
    }
  }
}
