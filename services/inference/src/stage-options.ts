import { servicePort } from '@netsentry/contracts';
import type { RunStageOptions } from '@netsentry/runtime';
import { loadInferenceConfig } from './inference.config';
import { setupOpenApi } from './http/openapi';
import { ModelHolder } from './model/model-holder';

/** The runStage options of inference for an environment (main.ts and the tests start it the same way). */
export function inferenceStageOptions(
  env: Readonly<Record<string, string | undefined>> = process.env,
): RunStageOptions {
  const settings = loadInferenceConfig(env);
  return {
    stage: 'inference',
    httpPort: servicePort('inference'),
    env,
    // Exactly-once comes from Kafka transactions (outputs + offsets per batch), not a ledger.
    ledger: 'none',
    deadLetterTopic: 'traffic.dlq',
    batch: settings.batch,
    // Join the traffic group only with a model to score with.
    batchGate: (app) => app.get(ModelHolder).ready,
    // POST /predict reads its own bodies under its limits; OpenAPI at /docs.
    http: { bodyParser: false, configure: setupOpenApi },
  };
}
