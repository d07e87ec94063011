import { Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import { WorkerPool } from '@netsentry/ml';
import { configProvider, StoresModule } from '@netsentry/runtime';
import { EvaluateCandidate } from './evaluate-candidate';
import { EVALUATOR_SETTINGS, evaluatorSection, type EvaluatorSettings } from './evaluator.config';
import { EvaluatorController } from './evaluator.controller';
import { SCORING_POOL } from './evaluator.ports';

@Module({
  imports: [StoresModule.with('artifacts', 'registry', 'records')],
  controllers: [EvaluatorController],
  providers: [
    configProvider(EVALUATOR_SETTINGS, evaluatorSection),
    {
      provide: SCORING_POOL,
      useFactory: (s: EvaluatorSettings) =>
        new WorkerPool(
          s.NETSENTRY_EVALUATOR_WORKERS === undefined ? {} : { size: s.NETSENTRY_EVALUATOR_WORKERS },
        ),
      inject: [EVALUATOR_SETTINGS],
    },
    EvaluateCandidate,
  ],
})
export class EvaluatorModule implements OnModuleDestroy {
  constructor(@Inject(SCORING_POOL) private readonly pool: WorkerPool) {}

  async onModuleDestroy(): Promise<void> {
    await this.pool.close();
  }
}
