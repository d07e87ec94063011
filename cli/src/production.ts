import { InvalidArgumentError } from 'commander';
import { productionAliasName, type Registry } from '@netsentry/registry';
import { adminCommand, publishCommand, type Publish } from './admin-command';
import { progressBar } from './progress';
import { withRegistry } from './registry-session';
import { formatProductionOutcome, waitForProduction, WAIT_EXIT, type ProductionOutcome } from './wait';

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
  /** Wait until production has moved (or the command was refused) and exit with WAIT_EXIT. */
  readonly wait?: boolean;
  /** Seconds `wait` gives the pusher; default 300. */
  readonly timeout?: number;
}

/** What a --wait needs to know before the command leaves: the dataset acted on and its production now. */
async function productionBefore(
  registry: Registry,
  target: { dataset?: string; version?: string },
): Promise<{ dataset: string | null; version: string | null }> {
  let dataset = target.dataset ?? null;
  if (dataset === null && target.version !== undefined) {
    const model = await registry.models.get(target.version);
    dataset = model?.dataset ?? (model ? ((await registry.runs.get(model.runId))?.dataset ?? null) : null);
  }
  if (dataset === null && target.version === undefined) {
    const all = await registry.productions();
    if (all.length === 1) dataset = all[0]!.dataset;
  }
  if (dataset === null) return { dataset, version: null };
  return { dataset, version: (await registry.aliases.get(productionAliasName(dataset)))?.version ?? null };
}

/** Waits for the pusher's answer to `commandId`, with a progress line on stderr; the exit code. */
async function waitAndReport(
  asked: string,
  commandId: string,
  before: { dataset: string | null; version: string | null },
  expect: { expectVersion?: string; command: 'ROLLBACK' | 'PROMOTE' },
  since: Date,
  timeoutSeconds: number,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const bar = progressBar();
  let outcome: ProductionOutcome;
  try {
    outcome = await waitForProduction(before.dataset, {
      env,
      since,
      commandId,
      command: expect.command,
      timeoutMs: timeoutSeconds * 1_000,
      ...(expect.expectVersion === undefined
        ? before.version === null
          ? {}
          : { notVersion: before.version }
        : { expectVersion: expect.expectVersion }),
      onProgress: (p) =>
        bar.update(
          0,
          1,
          `waiting for the pusher, ${Math.round(p.elapsedMs / 1_000)} s (production: ${p.version ?? 'none'})`,
        ),
    });
  } finally {
    bar.finish();
  }
  process.stdout.write(formatProductionOutcome(outcome, asked));
  return WAIT_EXIT[outcome.status];
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
  const before = options.wait
    ? await withRegistry(env, (registry) =>
        productionBefore(registry, {
          ...(options.dataset === undefined ? {} : { dataset: options.dataset }),
          ...(options.to === undefined ? {} : { version: options.to }),
        }),
      )
    : null;
  const since = new Date();
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
  if (before === null) return 0;
  return waitAndReport(
    'ROLLBACK',
    command.envelope.eventId,
    before,
    { command: 'ROLLBACK', ...(options.to === undefined ? {} : { expectVersion: options.to }) },
    since,
    options.timeout ?? 300,
    env,
  );
}

export interface PromoteOptions {
  readonly reason: string;
  /** Wait until the version is production (or the command was refused) and exit with WAIT_EXIT. */
  readonly wait?: boolean;
  /** Seconds `wait` gives the pusher; default 300. */
  readonly timeout?: number;
}

/** Publishes PROMOTE of a named version on admin.commands (carried out by the pusher, as a rollback is). */
export async function promote(
  version: string,
  options: PromoteOptions,
  env = process.env,
  publish: Publish = publishCommand,
): Promise<number> {
  const before = options.wait
    ? await withRegistry(env, (registry) => productionBefore(registry, { version }))
    : null;
  const since = new Date();
  const command = adminCommand(
    { command: 'PROMOTE', reason: options.reason, targetModelVersion: version },
    env,
  );
  await publish(command, env);
  process.stdout.write(
    `PROMOTE sent: command ${command.envelope.eventId}, ${version} to production (of its dataset)\n`,
  );
  if (before === null) return 0;
  return waitAndReport(
    `PROMOTE ${version}`,
    command.envelope.eventId,
    before,
    { command: 'PROMOTE', expectVersion: version },
    since,
    options.timeout ?? 300,
    env,
  );
}
