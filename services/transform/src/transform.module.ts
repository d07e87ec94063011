import { Module } from '@nestjs/common';
import { configProvider, StoresModule } from '@netsentry/runtime';
import { TRANSFORM_SETTINGS, transformSection } from './transform.config';
import { TransformController } from './transform.controller';
import { TransformSnapshot } from './transform-snapshot';
import { TransformWorkers } from './transform-workers';

@Module({
  imports: [StoresModule.with('records', 'artifacts', 'registry')],
  controllers: [TransformController],
  providers: [configProvider(TRANSFORM_SETTINGS, transformSection), TransformWorkers, TransformSnapshot],
})
export class TransformModule {}
