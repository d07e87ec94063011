import { adminCommand, publishCommand, type Publish } from './admin-command';

export interface RetrainOptions {
  readonly dataset?: string;
  readonly reason: string;
}

/**
 * Publishes a RETRAIN command on admin.commands; ingestion opens a run for it (run id `run-<command id>`).
 * Prints the command id, which is also the run's correlation id in every log line and registry row.
 */
export async function retrain(
  options: RetrainOptions,
  env = process.env,
  publish: Publish = publishCommand,
): Promise<number> {
  const command = adminCommand(
    { command: 'RETRAIN', reason: options.reason, datasetName: options.dataset ?? null },
    env,
  );
  await publish(command, env);
  const id = command.envelope.eventId;
  process.stdout.write(
    `RETRAIN sent: command ${id}, run run-${id}${options.dataset ? `, dataset ${options.dataset}` : ''}\n`,
  );
  return 0;
}
