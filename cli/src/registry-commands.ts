import { Command, InvalidArgumentError, Option } from 'commander';
import type { ModelStatus, Registry } from '@netsentry/registry';
import { collectModel, formatModel, formatModelList, listModels } from './models';
import { datasetArgument, modelVersionArgument } from './production';
import { LookupError, withRegistry } from './registry-session';
import { collectRun, formatRun, formatRunList, listRuns, resolveRunId } from './runs';
import { jsonText } from './table';

const LIST_EXIT_CODES = `
Exit codes: 0 listed (an empty list too); 78 a setting is missing or invalid
(NETSENTRY_MONGO_*).`;

const SHOW_EXIT_CODES = `
Exit codes: 0 shown; 2 not in the registry (or a prefix that matches several
runs: they are listed); 78 a setting is missing or invalid (NETSENTRY_MONGO_*).`;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** Commander argument parser: seconds for --timeout (a positive number). */
export function secondsArgument(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds > 0');
  return n;
}

/** Prints what `work` gives (JSON or text); a LookupError is printed on stderr and exits 2. */
async function show<T>(
  env: NodeJS.ProcessEnv,
  json: boolean,
  work: (registry: Registry) => Promise<T>,
  text: (value: T) => string,
): Promise<number> {
  try {
    const value = await withRegistry(env, work);
    process.stdout.write(json ? jsonText(value) : text(value));
    return 0;
  } catch (err) {
    if (!(err instanceof LookupError)) throw err;
    process.stderr.write(`netsentry: ${err.message}\n`);
    return 2;
  }
}

export interface RunsListOptions {
  readonly dataset?: string;
  readonly limit: number;
  readonly json: boolean;
}

/** `netsentry runs list`: prints the runs (text or JSON); the exit code. */
export function runsList(options: RunsListOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return show(
    env,
    options.json,
    (registry) =>
      listRuns(registry, {
        limit: options.limit,
        ...(options.dataset === undefined ? {} : { dataset: options.dataset }),
      }),
    formatRunList,
  );
}

/** `netsentry runs show RUN`: RUN is a run id, its command id or a prefix of either; the exit code. */
export function runsShow(
  ref: string,
  options: { readonly json: boolean },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  return show(
    env,
    options.json,
    async (registry) => collectRun(registry, await resolveRunId(registry, ref)),
    formatRun,
  );
}

export interface ModelsListOptions {
  readonly dataset?: string;
  readonly status?: ModelStatus;
  readonly limit: number;
  readonly json: boolean;
}

/** `netsentry models list`: the exit code. */
export function modelsList(
  options: ModelsListOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  return show(
    env,
    options.json,
    (registry) =>
      listModels(registry, {
        limit: options.limit,
        ...(options.dataset === undefined ? {} : { dataset: options.dataset }),
        ...(options.status === undefined ? {} : { status: options.status }),
      }),
    formatModelList,
  );
}

/** `netsentry models show VERSION`: the exit code. */
export function modelsShow(
  version: string,
  options: { readonly json: boolean },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  return show(env, options.json, (registry) => collectModel(registry, version), formatModel);
}

/** `netsentry runs list` and `netsentry runs show RUN`. */
export function runsCommand(env: NodeJS.ProcessEnv = process.env): Command {
  const runs = new Command('runs').description('pipeline runs in the registry: stages, artifacts, lineage');
  runs
    .command('list')
    .description('recent runs, newest first: status, time taken, last stage, the model made, why it ended')
    .option('--dataset <name>', 'only runs of this dataset', datasetArgument)
    .option('--limit <n>', 'how many', positiveInt, 20)
    .option('--json', 'print the runs (as runs show --json reports each) as a JSON array', false)
    .addHelpText('after', LIST_EXIT_CODES)
    .action(async (opts: RunsListOptions) => {
      process.exitCode = await runsList(opts, env);
    });
  runs
    .command('show')
    .description(
      'one run: each stage with its outcome, time and artifacts, why it ended, and the lineage of its model',
    )
    .argument(
      '<run>',
      'a run id, the RETRAIN command id it was opened for, or an unambiguous prefix of either',
    )
    .option('--json', 'print the report as JSON', false)
    .addHelpText(
      'after',
      `
Stages come from the run record and the idempotency ledger: a stage that
dead-lettered the run's event is shown 'failed' with the reason (the run
record still says running). Lineage (of the model the run made): the data
snapshot's sha256, the schema's name and version (its sha256), each stage's
settings and code version (git commit or build id), and the hyperparameter
trials (how many, the best per candidate with its mean CV score).
${SHOW_EXIT_CODES}

Examples:
  netsentry runs show run-3f2a9c1e-…
  netsentry runs show 3f2a9c     # a prefix of the command id`,
    )
    .action(async (ref: string, opts: { json: boolean }) => {
      process.exitCode = await runsShow(ref, opts, env);
    });
  return runs;
}

const MODEL_STATUSES: readonly ModelStatus[] = ['trained', 'accepted', 'quarantined', 'pushed', 'retired'];

/** `netsentry models list` and `netsentry models show VERSION`. */
export function modelsCommand(env: NodeJS.ProcessEnv = process.env): Command {
  const models = new Command('models').description(
    'trained models in the registry: metrics, status, production',
  );
  models
    .command('list')
    .description('recent models, newest first: status, production, CV score, test F1, failed checks')
    .option('--dataset <name>', 'only models of this dataset', datasetArgument)
    .addOption(new Option('--status <status>', 'only models with this status').choices(MODEL_STATUSES))
    .option('--limit <n>', 'how many', positiveInt, 20)
    .option('--json', 'print the models (as models show --json reports each) as a JSON array', false)
    .addHelpText('after', LIST_EXIT_CODES)
    .action(async (opts: ModelsListOptions) => {
      process.exitCode = await modelsList(opts, env);
    });
  models
    .command('show')
    .description(
      'one model: test metrics, CV score, candidate, status history, why quarantined, production now and before',
    )
    .argument('<version>', 'the model version (m-20260102030405-1a2b3c4d)', modelVersionArgument)
    .option('--json', 'print the report as JSON', false)
    .addHelpText(
      'after',
      `
Metrics are as the evaluator stored them (test f1, precision, recall, …) and
the trainer's mean CV score. The status history lists every transition with
its time and reasons; a quarantined model lists the checks it failed and
whether the evaluator or the pusher quarantined it. Production: whether it
is its dataset's production now, and every move of that alias to or from it.
${SHOW_EXIT_CODES}`,
    )
    .action(async (version: string, opts: { json: boolean }) => {
      process.exitCode = await modelsShow(version, opts, env);
    });
  return models;
}

/** The `--wait` and `--timeout` options and their exit codes, for retrain, rollback and promote. */
export function withWait(command: Command, defaultTimeout: number, kind: 'run' | 'production'): Command {
  const done =
    kind === 'run'
      ? `0 the run succeeded and its model was pushed; 3 quarantined (data or
model: the stage and reason are printed); 4 failed (a stage dead-lettered
the run: stage and reason printed); 5 refused (the RETRAIN went to
pipeline.dlq: RUN_IN_PROGRESS or ADMIN_*); 6 timed out.`
      : `0 production points at the version (or already did); 4 failed (the
pusher gave up after retries); 5 refused (the command went to pipeline.dlq:
a pusher refusal such as NOT_ACCEPTED or NOTHING_TO_ROLL_BACK, or ADMIN_*;
reason printed, production unchanged); 6 timed out.`;
  return command
    .option(
      '--wait',
      kind === 'run' ? 'wait for the run to end and exit with its outcome' : 'wait for production to move',
      false,
    )
    .option('--timeout <seconds>', `how long --wait waits (default ${defaultTimeout})`, secondsArgument)
    .addHelpText(
      'after',
      `
Exit codes: without --wait, 0 once the command is sent. With --wait
(progress on stderr, the outcome on stdout): ${done}
78: a setting is missing or invalid.`,
    );
}
