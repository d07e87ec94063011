import { adminCommand, publishCommand, type Publish } from './admin-command';
import { formatRunOutcome, runProgressDisplay, waitForRun, WAIT_EXIT } from './wait';

export interface RetrainOptions {
  readonly dataset?: string;
  readonly reason: string;
  /** Wait for the run to end and exit with its outcome (WAIT_EXIT). */
  readonly wait?: boolean;
  /** Seconds `wait` gives the run; default 1800. */
  readonly timeout?: number;
}

/**
 * Publishes a RETRAIN command on admin.commands; ingestion opens a run for it (run id `run-<command id>`).
 * Prints the command id, which is also the run's correlation id in every log line and registry row. With
 * `wait`, follows the run (progress on stderr) and returns its outcome's exit code.
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
  const since = new Date();
  await publish(command, env);
  const id = command.envelope.eventId;
  const runId = `run-${id}`;
  process.stdout.write(
    `RETRAIN sent: command ${id}, run ${runId}${options.dataset ? `, dataset ${options.dataset}` : ''}\n`,
  );
  if (!options.wait) return 0;
  const display = runProgressDisplay();
  let outcome;
  try {
    outcome = await waitForRun(runId, {
      env,
      since,
      timeoutMs: (options.timeout ?? 1_800) * 1_000,
      onProgress: (p) => display.update(p),
    });
  } finally {
    display.finish();
  }
  process.stdout.write(formatRunOutcome(outcome));
  return WAIT_EXIT[outcome.status];
}
