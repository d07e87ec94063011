import type { Provider } from '@nestjs/common';
import { loadConfig, type ConfigSection } from '@netsentry/config';
import { STAGE_RESOURCES, type StageResources } from './stage-resources';

/**
 * A provider of one config section, read from the stage's own environment (`StageResources.env`, which
 * `runStage({ env })` sets), never from `process.env` directly, so a test or a second instance in one
 * process passes its own. Bad values fail the app's start with a `ConfigError` naming the variables.
 *
 *   providers: [configProvider(TRAINER_SETTINGS, trainerSection)]
 *   constructor(@Inject(TRAINER_SETTINGS) settings: TrainerSettings) {}
 */
export function configProvider<T>(token: symbol | string, section: ConfigSection<T>): Provider {
  return {
    provide: token,
    useFactory: (resources: StageResources): T => loadConfig(section, resources.env),
    inject: [STAGE_RESOURCES],
  };
}
