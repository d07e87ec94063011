import type { DynamicModule, Type } from '@nestjs/common';
import { buildVersion, ConfigError } from '@netsentry/config';
import { createLogger } from '@netsentry/observability';
import { runStage, type RunningStage, type RunStageOptions } from './bootstrap';
import { errorJson } from './stage-pipeline';

/** Exit status of a stage that cannot start on its configuration (sysexits' EX_CONFIG). */
export const EXIT_CONFIG = 78;

/**
 * A service's `main.ts`: `runStage`, and when the stage cannot start, one JSON log line at `fatal` saying
 * why — for bad configuration every variable at fault (`err.variables`, `err.problems`), exit 78; for
 * anything else (a server unreachable past its retries…) the error, exit 1 — instead of an unhandled
 * rejection's stack trace or Nest's coloured console lines. `options` may be a function, so settings the
 * service reads to build them fail the same way.
 */
export function startStage(
  module: Type | DynamicModule,
  options: RunStageOptions | (() => RunStageOptions),
  fallbackStage = 'netsentry',
): Promise<RunningStage | null> {
  let stage = typeof options === 'function' ? fallbackStage : options.stage;
  let env: RunStageOptions['env'] = typeof options === 'function' ? process.env : options.env;
  const run = async (): Promise<RunningStage> => {
    const resolved = typeof options === 'function' ? options() : options;
    stage = resolved.stage;
    env = resolved.env ?? process.env;
    return runStage(module, resolved);
  };
  return run().catch((error: unknown) => {
    const logger = createLogger({
      service: stage,
      version: env?.NETSENTRY_SERVICE_VERSION ?? buildVersion() ?? 'dev',
    });
    const config = error instanceof ConfigError;
    logger.fatal(
      { err: config ? error.toJSON() : errorJson(error) },
      config ? 'invalid configuration: the service cannot start' : 'the service could not start',
    );
    process.exit(config ? EXIT_CONFIG : 1);
    return null;
  });
}
