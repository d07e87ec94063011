import { Module } from '@nestjs/common';
import { configProvider, StoresModule } from '@netsentry/runtime';
import { ValidateSnapshot } from './validate-snapshot';
import { VALIDATION_POLICY, validationSection } from './validation.config';
import { ValidationController } from './validation.controller';

@Module({
  imports: [StoresModule.with('records', 'artifacts', 'registry')],
  controllers: [ValidationController],
  providers: [configProvider(VALIDATION_POLICY, validationSection), ValidateSnapshot],
})
export class ValidationModule {}
