import { InvalidArgumentError } from 'commander';
import { adminCommand, publishCommand, type Publish } from './admin-command';

const VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const DATASET = /^[a-z0-9][a-z0-9_-]*$/;

/** Commander argument parser: a dataset name as schema files name them (`phishing`, `nsl-kdd`). */
export function datasetArgument(value: string): string {
  if (!DATASET.test(value)) {
    throw new InvalidArgumentError('expected a dataset name (lower-case letters, digits, - or _)');
  }
  return value;
}

/** Commander argument parser: a model version as the registry names them (`m-20260102030405-1a2b3c4d`). */
export function modelVersionArgument(value: string): string {
  if (!VERSION.test(value)) {
    throw new InvalidArgumentError('expected a model version such as m-20260102030405-1a2b3c4d');
  }
  return value;
}

export interface RollbackOptions {
  /** The version to go back to; without it, the dataset's previous production version. */
  readonly to?: string;
  /** Whose production to roll back; needed without --to when several datasets have one. */
  readonly dataset?: string;
  readonly reason: string;
}

/**
 * Publishes ROLLBACK on admin.commands. The pusher verifies the target like a push, moves the production
 * alias of its dataset and emits model.pushed; a target never accepted by the evaluator is refused
 * (pipeline.dlq).
 */
export async function rollback(
  options: RollbackOptions,
  env = process.env,
  publish: Publish = publishCommand,
): Promise<number> {
  const command = adminCommand(
    {
      command: 'ROLLBACK',
      reason: options.reason,
      targetModelVersion: options.to ?? null,
      datasetName: options.dataset ?? null,
    },
    env,
  );
  await publish(command, env);
  const of = options.dataset ? ` of ${options.dataset}` : '';
  process.stdout.write(
    `ROLLBACK sent: command ${command.envelope.eventId}, ` +
      `to ${options.to ?? 'the previous production version'}${of}\n`,
  );
  return 0;
}

export interface PromoteOptions {
  readonly reason: string;
}

/** Publishes PROMOTE of a named version on admin.commands (carried out by the pusher, as a rollback is). */
export async function promote(
  version: string,
  options: PromoteOptions,
  env = process.env,
  publish: Publish = publishCommand,
): Promise<number> {
  const command = adminCommand(
    { command: 'PROMOTE', reason: options.reason, targetModelVersion: version },
    env,
  );
  await publish(command, env);
  process.stdout.write(
    `PROMOTE sent: command ${command.envelope.eventId}, ${version} to production (of its dataset)\n`,
  );
  return 0;
}
