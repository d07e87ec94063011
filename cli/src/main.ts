import { ConfigError } from '@netsentry/config';
import { Command, InvalidArgumentError } from 'commander';
import { publishCommand, type Publish } from './admin-command';
import { dataLoad } from './data-load';
import { datasetArgument, modelVersionArgument, promote, rollback } from './production';
import { provision } from './provision';
import { modelsCommand, runsCommand, withWait } from './registry-commands';
import { replay } from './replay';
import { REPLAY_FORMATS, type ReplayFormat } from './replay-records';
import { retrain } from './retrain';
import { schemaCheck } from './schema-check';
import { status } from './status';
import { trafficDriver } from './start/replay-driver';
import { start, type StartCommandOptions } from './start/start-command';
import { tail } from './tail';
import { TAIL_STREAMS, type TailStream } from './tail-format';

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

function datasetArgumentOrAny(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(value)) throw new InvalidArgumentError('expected a dataset name');
  return value;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number > 0');
  return n;
}

function replayFormat(value: string): ReplayFormat {
  if (!(REPLAY_FORMATS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${REPLAY_FORMATS.join(', ')}`);
  }
  return value as ReplayFormat;
}

function tailStream(value: string): TailStream {
  if (!Object.keys(TAIL_STREAMS).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${Object.keys(TAIL_STREAMS).join(', ')}`);
  }
  return value as TailStream;
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
    .option(
      '--batch-size <n>',
      'records per insert request (rounded up to whole blocks of 500 lines)',
      positiveInt,
      5_000,
    )
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
    .command('start')
    .description(
      'the main job (npm start): servers, the seven services, data, a trained model, the test split replayed as live traffic, a summary; then serving',
    )
    .option(
      '--dataset <name>',
      'a bundled dataset (phishing, nsl-kdd), or the name in --schema',
      datasetArgumentOrAny,
    )
    .option('--data <csv>', 'a data file to load (.csv or .csv.gz); loaded even when the dataset has records')
    .option('--schema <yaml>', "the data file's schema (default: the bundled dataset's)")
    .option('--once', 'exit after the summary (0 when every step worked)', false)
    .option('--port-base <port>', 'HTTP port of the first service; the other six follow', positiveInt, 8081)
    .option('--no-servers', 'do not start the local servers: use those NETSENTRY_* point at')
    .option('--keep-servers', 'leave the local servers this command started running when it stops', false)
    .option(
      '--format <format>',
      'wire format of the replayed records: avro (dense v2), avro-map (v1 map) or json',
      replayFormat,
      'avro',
    )
    .option('--rate <n>', 'replay rate in records/s (default: as fast as the producer goes)', positiveInt)
    .option('--limit <n>', 'replay at most this many test records', positiveInt)
    .option('--summary-json <file>', 'also write the summary as JSON to this file')
    .option('--log-dir <dir>', "the services' and the supervisor's log folder (default .local/logs)")
    .option('--drift-retrain', 'let inference publish a signed RETRAIN when the live stream drifts', false)
    .option('--run-timeout <seconds>', 'how long to wait for a training run', positiveInt, 1_800)
    .addHelpText(
      'after',
      `
Steps, each reported on stderr: start the local servers (deploy/local/infra;
installed on first use, the running ones reused); start the seven services as
supervised processes (logs in .local/logs/<service>.log; a crashed service is
restarted with backoff, the crash logged in .local/logs/supervisor.log and
counted; a service already answering on its port is reused); load the data
when the dataset has no records (or --data is given); publish a signed
RETRAIN when the dataset has no production model and wait for the run; wait
until inference serves the production model; replay that model's test split
as live traffic through Kafka and account for every record; print the
summary. Then it keeps serving until Ctrl-C or SIGTERM, which stop exactly
what it started (services: SIGTERM, SIGKILL after 20 s; servers it started,
unless --keep-servers).

Exit codes: 0 done (with --once) or stopped by a signal after the summary;
1 an unexpected failure; 2 refused input (data file or schema; the reason is
printed); 3 the training run was quarantined; 4 it failed; 5 the servers or a
service could not start (e.g. a port taken: --port-base); 6 a step timed out;
78 a setting is missing or invalid; 130 interrupted before the summary.

Examples:
  npm start
  npm start -- --once
  npm start -- --dataset nsl-kdd
  npm start -- --data capture.csv.gz --schema my-dataset.yaml`,
    )
    .action(async (opts: StartCommandOptions) => {
      process.exitCode = await start(opts, process.env, trafficDriver());
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
    .command('replay')
    .description(
      'stream a CSV (or .csv.gz) to traffic.records as live traffic, one record per row, for inference to score',
    )
    .argument('<csv>', 'the data file (a labelled file is fine: the label column is not sent)')
    .option('--schema <yaml>', 'the dataset schema file (default: the schema the dataset was loaded under)')
    .option('--dataset <name>', 'the loaded dataset whose schema to use (default: the one the header fits)')
    .option(
      '--rate <n>',
      'records per second, paced smoothly (default: as fast as the broker takes them)',
      positiveNumber,
    )
    .option('--limit <n>', 'send at most this many records', positiveInt)
    .option(
      '--format <format>',
      "avro (the contracts' TrafficRecord v2, dense), avro-map (the v1 map form) or json",
      replayFormat,
      'avro' as ReplayFormat,
    )
    .option('--source <name>', "the records' source", 'netsentry-replay')
    .option('--id-prefix <p>', 'record ids are <p>-<line> (default: replay-<epoch ms>)')
    .option(
      '--send-invalid',
      'send rows that fail the schema checks as read (inference dead-letters them)',
      false,
    )
    .option('--json', 'print the summary as JSON', false)
    .addHelpText(
      'after',
      `
Only the schema's feature columns are sent, keyed by their names in the file:
the target and the schema's dropped columns are left out, numeric cells are
numbers, binary and categorical ones strings, the schema's missing tokens null.
A row that fails the schema's checks is skipped and counted by reason (or sent
with --send-invalid); a header with other columns is refused. Each record's id
(and message key) is <id-prefix>-<line>, the line in the file (the header is
line 1), so its prediction on traffic.predictions names the row it scored.
Without --schema the schema comes from MongoDB (NETSENTRY_MONGO_*): the one
--dataset was loaded under, else the only loaded dataset whose schema fits the
header. Kafka: NETSENTRY_KAFKA_*, NETSENTRY_TOPIC_PREFIX; an idempotent
producer with acks=all. Progress on stderr; the summary (sent, skipped with
reasons, elapsed, rate) on stdout.

Exit codes: 0 replayed; 2 refused: the header does not fit the schema, the
schema file is invalid, no loaded dataset fits the file (or several do), or
the id prefix is invalid; 78 a setting is missing or invalid; 130 interrupted
by SIGINT/SIGTERM (what was sent is summarised).

Examples:
  netsentry replay data/phishing.csv --schema data/schemas/phishing.yaml
  netsentry replay data/nsl-kdd/KDDTest+.csv.gz --dataset nsl-kdd --rate 500
  netsentry replay capture.csv --format json --limit 1000 --id-prefix probe1`,
    )
    .action(
      async (
        csv: string,
        opts: {
          schema?: string;
          dataset?: string;
          rate?: number;
          limit?: number;
          format: ReplayFormat;
          source: string;
          idPrefix?: string;
          sendInvalid: boolean;
          json: boolean;
        },
      ) => {
        process.exitCode = await replay(csv, opts);
      },
    );
  program
    .command('tail')
    .description(
      'show live events, one line each: predictions, dead letters (traffic and pipeline) or quarantines (data and model)',
    )
    .argument('<stream>', 'predictions | dlq | quarantine', tailStream)
    .option('--follow', 'keep printing new events until Ctrl-C (SIGINT) or SIGTERM', false)
    .option('--json', 'one JSON object per line', false)
    .option('--from-beginning', 'start at the first event kept on the topics, not the last --limit', false)
    .option(
      '--limit <n>',
      'events of the history: the last N (default 20); with --from-beginning the first N (default all)',
      positiveInt,
    )
    .addHelpText(
      'after',
      `
Reads read_committed (predictions of aborted transactions never show) in a
consumer group of its own that commits nothing: tail never moves anyone's
offsets. Every message is decoded through the contracts; one that does not
decode is shown as UNDECODABLE with the reason.

  predictions  traffic.predictions: time, record id, label, score, model
               version, processing and end-to-end latency, the record's
               source and, for ids of the replay scheme (replay-<ms>-<line>),
               the line of the replayed file.
  dlq          traffic.dlq and pipeline.dlq: topic[partition]@offset, error
               code, reason, where the message came from; for traffic, the
               record id and source decoded from its original bytes; for
               pipeline events, their run.
  quarantine   data.quarantined and model.quarantined: run id, dataset (data)
               or model version (model), verdict or failed checks, reasons.

Exit codes: 0 (also when SIGINT/SIGTERM ends --follow); 78 a setting is
missing or invalid.

Examples:
  netsentry tail predictions --limit 50
  netsentry tail dlq --follow
  netsentry tail quarantine --from-beginning --json | jq .reasons`,
    )
    .action(
      async (
        stream: TailStream,
        opts: { follow: boolean; json: boolean; fromBeginning: boolean; limit?: number },
      ) => {
        process.exitCode = await tail(stream, opts);
      },
    );
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
