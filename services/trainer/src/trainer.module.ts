import { Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import { WorkerPool } from '@netsentry/ml';
import { configProvider, StoresModule } from '@netsentry/runtime';
import { TrainModel } from './train-model';
import { TrainerController } from './trainer.controller';
import {
  defaultTrainerWorkers,
  searchConfigOf,
  TRAINER_SETTINGS,
  trainerSection,
  type TrainerSettings,
} from './trainer.config';
import { SEARCH_CONFIG, TRAINING_POOL } from './trainer.ports';

@Module({
  imports: [StoresModule.with('artifacts', 'registry', 'records')],
  controllers: [TrainerController],
  providers: [
    configProvider(TRAINER_SETTINGS, trainerSection),
    {
      provide: SEARCH_CONFIG,
      useFactory: (s: TrainerSettings) => searchConfigOf(s),
      inject: [TRAINER_SETTINGS],
    },
    {
      provide: TRAINING_POOL,
      useFactory: (s: TrainerSettings) =>
        new WorkerPool({ size: s.NETSENTRY_TRAINER_WORKERS ?? defaultTrainerWorkers() }),
      inject: [TRAINER_SETTINGS],
    },
    TrainModel,
  ],
})
export class TrainerModule implements OnModuleDestroy {
  constructor(@Inject(TRAINING_POOL) private readonly pool: WorkerPool) {}

  async onModuleDestroy(): Promise<void> {
    await this.pool.close();
  }
}
