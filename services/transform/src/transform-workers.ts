import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { WorkerPool } from '@netsentry/ml';
import { TRANSFORM_SETTINGS, type TransformStageSettings } from './transform.config';

/**
 * The threads the fit, the preprocessing and SMOTE-Tomek's neighbour searches run on, off the event loop
 * (which keeps answering /healthz, /readyz and /metrics); closed with the app.
 */
@Injectable()
export class TransformWorkers implements OnModuleDestroy {
  readonly pool: WorkerPool;

  constructor(@Inject(TRANSFORM_SETTINGS) settings: TransformStageSettings) {
    this.pool = new WorkerPool(settings.workers === undefined ? {} : { size: settings.workers });
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.close();
  }
}
