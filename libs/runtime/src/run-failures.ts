import { RunNotFoundError, type RunRepository } from '@netsentry/registry';
import type { RunFailures } from './ports';

/**
 * The registry's runs as the pipeline's `RunFailures`: a dead-lettered event ends its run `failed`, the reason
 * naming the stage (`dead-lettered at <stage>: <how>: <error>`). A run the registry does not know (an event
 * replayed into another deployment) is left alone.
 */
export function registryRunFailures(runs: Pick<RunRepository, 'finishRun'>): RunFailures {
  return {
    async failRun(runId, stage, reason) {
      try {
        return await runs.finishRun(runId, 'failed', { reason: `dead-lettered at ${stage}: ${reason}` });
      } catch (error) {
        if (error instanceof RunNotFoundError) return false;
        throw error;
      }
    },
  };
}
