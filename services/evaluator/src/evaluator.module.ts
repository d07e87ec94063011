import { Module } from '@nestjs/common';
import { StoresModule } from '@netsentry/runtime';
import { EvaluatorController } from './evaluator.controller';

@Module({ imports: [StoresModule], controllers: [EvaluatorController] })
export class EvaluatorModule {}
