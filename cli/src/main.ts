import { ConfigError } from '@netsentry/config';
import { Command, InvalidArgumentError } from 'commander';
import { publishCommand, type Publish } from './admin-command';
import { dataLoad } from './data-load';
import { datasetArgument, modelVersionArgument, promote, rollback } from './production';
import { provision } from './provision';
import { modelsCommand, runsCommand, withWait } from './registry-commands';
import { retrain } from './retrain';
import { schemaCheck } from './schema-check';
import { status } from './status';

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0');
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** The CLI's commands; `publish` is how admin commands leave it (a fake in unit tests). */
export function buildProgram(publish: Publish = publishCommand): Command {
  const program = new Command('netsentry').description('Operate netsentry: load data, train, deploy, score.');
  const data = program.command('data').description('records in MongoDB');
  data
    .command('load')
    .description(
      'stream a CSV (or .csv.gz) into the records collection, checking every row against the schema',
    )
    .argument('<csv>', 'the data file')
    .requiredOption('--schema <yaml>', 'the dataset schema file, e.g. data/schemas/phishing.yaml')
    .option('--batch-size <n>', 'records per insert batch', positiveInt, 1_000)
    .option('--rejects <file>', 'write every rejected row (line and reasons) as JSON lines to this file')
    .option('--json', 'print the summary as JSON', false)
    .option(
      '--rebind-schema',
      'bind the dataset to this schema although it was loaded under a different one (refused otherwise)',
      false,
    )
    .addHelpText(
      'after',
      `
Exit codes: 0 loaded (rejected rows are listed, not fatal); 2 refused: the
file's header is for another dataset, the schema is invalid, or the dataset
was loaded under a different schema and --rebind-schema was not given (the
message names what changed); 78 a setting is missing or invalid.`,
    )
    .action(
      async (
        csv: string,
        opts: { schema: string; batchSize: number; rejects?: string; json: boolean; rebindSchema: boolean },
      ) => {
        process.exitCode = await dataLoad(csv, opts);
      },
    );
  const schema = program.command('schema').description('dataset schema files');
  schema
    .command('check')
    .description(
      'validate a dataset schema file and, with --data, read a CSV against it without loading it: a summary per column',
    )
    .argument('<yaml>', 'the dataset schema file')
    .option('--data <csv>', 'a data file (.csv or .csv.gz) to read against the schema; nothing is stored')
    .option('--max-values <n>', 'distinct values kept per column in the report', positiveInt, 20)
    .option('--max-rejected <n>', 'rejected rows allowed before the check fails', nonNegativeInt, 0)
    .option('--json', 'print the report as JSON', false)
    .addHelpText(
      'after',
      `
Every problem in the schema file is listed with its line. With --data, the
file is streamed once (gzip is read as by data load) and each column is
described: its role in the schema, the declared type and the type its values
look like, missing cells, numeric range, distinct values, how many cells the
schema would reject and with which values, and a suggested column spec that
accepts what was seen (categorical values listed), ready to paste under
columns:. A file with the wrong header is still described, so a schema for
it can be written from the suggestions. Needs no server.

Exit codes: 0 the schema is valid (and the file fits it, with at most
--max-rejected rejected rows); 2 refused: the schema is invalid, the data file
cannot be read, its header does not fit the schema, or more rows would be
rejected; 78 a setting is missing or invalid.

Examples:
  netsentry schema check data/schemas/phishing.yaml --data data/phishing.csv
  netsentry schema check my.yaml --data capture.csv.gz --json`,
    )
    .action(
      async (
        yaml: string,
        opts: { data?: string; maxValues: number; maxRejected: number; json: boolean },
      ) => {
        process.exitCode = await schemaCheck(yaml, opts);
      },
    );
  withWait(program.command('retrain'), 1_800, 'run')
    .description('publish a RETRAIN command on admin.commands: ingestion starts a run on the loaded records')
    .option('--dataset <name>', 'dataset to train on (default: the ingestion service default)')
    .option('--reason <text>', 'why, shown in the run history', 'requested from the CLI')
    .addHelpText(
      'after',
      `
Every admin command (retrain, rollback, promote) is signed with
NETSENTRY_ADMIN_SECRET (locally: eval "$(deploy/local/infra env)"); the services
refuse unsigned, forged, stale (older than 5 minutes) and replayed commands to
pipeline.dlq. A RETRAIN while the dataset has a run in progress is refused
(RUN_IN_PROGRESS) with the run named; send it again when that run has ended.`,
    )
    .action(async (opts: { dataset?: string; reason: string; wait: boolean; timeout?: number }) => {
      process.exitCode = await retrain(opts, process.env, publish);
    });
  withWait(program.command('rollback'), 300, 'production')
    .description(
      "publish a ROLLBACK command on admin.commands: the pusher points a dataset's production back at an earlier version",
    )
    .option(
      '--dataset <name>',
      'whose production to roll back (default: the only dataset with a production model)',
      datasetArgument,
    )
    .option(
      '--to <version>',
      "the version to roll back to (default: the dataset's previous production version)",
      modelVersionArgument,
    )
    .option('--reason <text>', 'why, kept in the production alias history', 'requested from the CLI')
    .addHelpText(
      'after',
      `
Each dataset has its own production model; a rollback moves only its own.
Without --to, production goes back to the version it served before the
current one; rolling back twice returns to where it started (like kubectl
rollout undo). With --to, the version says which dataset. Without either
--to or --dataset, the rollback is refused when more than one dataset has a
production model. The pusher first loads the target's bundle in isolation and
re-scores its evaluation samples, then moves the alias and emits model.pushed
(action ROLLBACK), which every inference replica follows. A version the
evaluator never accepted (trained only, or quarantined), an unknown version,
or nothing to roll back to is refused: production stays as it is and the
refusal, with its reason, is on pipeline.dlq.

Examples:
  netsentry rollback --reason "v42 flags too many benign sites"
  netsentry rollback --dataset nsl-kdd
  netsentry rollback --to m-20260102030405-1a2b3c4d`,
    )
    .action(
      async (opts: { to?: string; dataset?: string; reason: string; wait: boolean; timeout?: number }) => {
        process.exitCode = await rollback(opts, process.env, publish);
      },
    );
  withWait(program.command('promote'), 300, 'production')
    .description(
      "publish a PROMOTE command on admin.commands: the pusher puts a named model version in its dataset's production",
    )
    .argument('<version>', 'the model version to promote', modelVersionArgument)
    .option('--reason <text>', 'why, kept in the production alias history', 'requested from the CLI')
    .addHelpText(
      'after',
      `
The version must have been accepted by the evaluator at some point (status
accepted, pushed or retired); it replaces the production model of the
dataset it was trained on, and no other. The pusher verifies its bundle in isolation as
for a push, moves the alias and emits model.pushed (action PROMOTE). A
refusal leaves production unchanged and is on pipeline.dlq with its reason.

Example:
  netsentry promote m-20260102030405-1a2b3c4d --reason "false positives fixed upstream"`,
    )
    .action(async (version: string, opts: { reason: string; wait: boolean; timeout?: number }) => {
      process.exitCode = await promote(version, opts, process.env, publish);
    });
  program
    .command('status')
    .description(
      'show production per dataset (version and history), recent models and runs from the registry, and service health',
    )
    .option('--limit <n>', 'rows per section', positiveInt, 10)
    .option('--json', 'print the report as JSON', false)
    .addHelpText(
      'after',
      `
Reads the registry in MongoDB (NETSENTRY_MONGO_*) and asks each service's
/readyz; the services are NETSENTRY_SERVICE_URLS as name=url pairs, by default
the six stages and inference on 127.0.0.1:8081-8087. For inference it also
reads /metrics twice, 1 s apart: the model version it serves, records/s
between the two scrapes, and its consumer lag on traffic.records. Use it to
find the version to pass to rollback --to or promote, and why a model was
quarantined.

Exit codes: 0 shown (services that are down are listed, not fatal); 78 a
setting is missing or invalid.`,
    )
    .action(async (opts: { limit: number; json: boolean }) => {
      process.exitCode = await status(opts, process.env);
    });
  program.addCommand(runsCommand());
  program.addCommand(modelsCommand());
  program
    .command('provision')
    .description(
      'create the catalogue topics (partitions, retention) and the artifact bucket; idempotent, for a first deploy',
    )
    .option('--json', 'print the report as JSON', false)
    .addHelpText(
      'after',
      `
Uses NETSENTRY_KAFKA_*, NETSENTRY_TOPIC_PREFIX and NETSENTRY_S3_* like the services
(NETSENTRY_TOPIC_REPLICATION_FACTOR sets the replication of new topics). Existing
topics are grown to the catalogue's partitions, never shrunk; config drift is
reported, not changed. The services also provision at start; this runs it once,
before them (docker compose's init step, the Kubernetes provisioning Job).`,
    )
    .action(async (opts: { json: boolean }) => {
      process.exitCode = await provision(opts, process.env);
    });
  return program;
}

/** Runs the CLI; resolves with the exit code. Configuration errors name the variable and exit 78. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`netsentry: ${err.message}\n`);
      return 78; // EX_CONFIG
    }
    process.stderr.write(`netsentry: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
