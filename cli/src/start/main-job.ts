import { loadRecords, type LoadSummary } from '@netsentry/records';
import { toArtifactRef, type ModelRecord, type Run } from '@netsentry/registry';
import { openStores, type Stores } from '@netsentry/runtime';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeaderMismatchError, DatasetSchemaError } from '@netsentry/dataset';
import { SchemaChangedError } from '@netsentry/records';
import { adminCommand, publishCommand, type Publish } from '../admin-command';
import { progressBar } from '../progress';
import { collectRun } from '../runs';
import { waitForRun, type RunOutcome } from '../wait';
import { resolveInputs, type DatasetInputs } from './inputs';
import { localServerEnv, startLocalServers, stopLocalServers } from './servers';
import { answers, localServices, missingBuilds, probeService, type LocalService } from './services';
import { Supervisor, type SupervisorEvent } from './supervisor';
import type { TrafficDriver, TrafficReport } from './traffic';
import { formatSummary, type StageLine, type StartSummary } from './summary';

/** Exit codes of `netsentry start` (and so of `npm start`), documented in its help. */
export const START_EXIT = {
  ok: 0,
  failed: 1,
  refused: 2,
  quarantined: 3,
  runFailed: 4,
  services: 5,
  timeout: 6,
  interrupted: 130,
  config: 78,
} as const;

export class StepError extends Error {
  constructor(
    readonly step: string,
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'StepError';
  }
}

export interface StartOptions {
  /** The repository root (services/*, deploy/local/infra, data/). */
  readonly root: string;
  readonly cwd: string;
  readonly dataset?: string;
  readonly data?: string;
  readonly schema?: string;
  readonly once: boolean;
  readonly portBase: number;
  /** Start the local servers with deploy/local/infra (off: use the ones NETSENTRY_* point at). */
  readonly servers: boolean;
  /** Leave the servers this job started running when it stops. */
  readonly keepServers: boolean;
  readonly format: 'avro' | 'json';
  /** Replay rate, records/s (undefined: as fast as the producer goes). */
  readonly rate?: number;
  readonly limit?: number;
  readonly summaryJson?: string;
  /** Where the services' and the supervisor's logs go (default `<state dir>/logs`). */
  readonly logDir?: string;
  /** Extra settings for the services, e.g. inference's drift retrain. */
  readonly serviceEnv?: Readonly<Record<string, string>>;
  readonly runTimeoutMs: number;
  /** When the command started (npm start passes the shell's start time): the first-prediction clock. */
  readonly startedAtMs: number;
  readonly env: NodeJS.ProcessEnv;
}

export interface MainJobDeps {
  readonly traffic: TrafficDriver;
  readonly publish?: Publish;
  /** Human progress lines (stderr). */
  readonly say: (line: string) => void;
}

/** A running system: what `start` keeps serving, and what it stops on Ctrl-C or SIGTERM. */
export interface RunningSystem {
  readonly services: readonly LocalService[];
  readonly supervisor: Supervisor;
  readonly startedServers: readonly string[];
  readonly reusedServices: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly logDir: string;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function stateDir(root: string, env: NodeJS.ProcessEnv): string {
  return env.NETSENTRY_LOCAL_STATE ?? join(root, '.local');
}

/**
 * Brings the system up: the local servers (installed on first use; the running ones reused), then the
 * seven services as supervised processes (one log file each in `<state>/logs/`; a service already
 * answering on its port is reused as it is). `alive` resolves once every service answers /healthz.
 */
export async function bringUp(
  options: StartOptions,
  inputs: DatasetInputs,
  deps: MainJobDeps,
  signal: AbortSignal,
): Promise<{ system: RunningSystem; alive: Promise<void> }> {
  const { root } = options;
  const logDir = options.logDir ?? join(stateDir(root, options.env), 'logs');
  let startedServers: readonly string[] = [];
  if (options.servers) {
    deps.say('servers: starting Kafka, FerretDB, S3Proxy and Prometheus (deploy/local/infra start) …');
    const servers = await startLocalServers(root, options.env, (line) => {
      if (/^(kafka|ferretdb|s3proxy|prometheus)[: ]|installing|download|build/i.test(line)) {
        deps.say(`  ${line.trim()}`);
      }
    });
    // npm start's script may have started some of them already, while it built (NETSENTRY_START_SERVERS_STARTED)
    const byScript = (options.env.NETSENTRY_START_SERVERS_STARTED ?? '').split(',').filter((x) => x !== '');
    startedServers = [...new Set([...byScript, ...servers.started])];
  }
  const env: NodeJS.ProcessEnv = options.servers
    ? { ...(await localServerEnv(root, options.env)), ...options.env }
    : { ...options.env };
  const supervisorLog = join(logDir, 'supervisor.log');
  mkdirSync(logDir, { recursive: true });
  const stateFile = join(logDir, 'supervised.json');
  const supervisor: Supervisor = new Supervisor((event) => {
    reportEvent(event, supervisorLog, deps.say);
    writeState(stateFile, supervisor);
  });
  const services = localServices({
    root,
    env,
    portBase: options.portBase,
    logDir,
    dataset: inputs.dataset,
    overrides: options.serviceEnv ? { inference: options.serviceEnv } : undefined,
  });
  // ends the wait for the services when the system stops first (a failed step): nothing polls after it
  const stopping = new AbortController();
  const system: RunningSystem = {
    services,
    supervisor,
    startedServers,
    reusedServices: [],
    env,
    logDir,
    stop: async () => {
      stopping.abort(new Error('the system is stopping'));
      await supervisor.stopAll();
      if (!options.keepServers && startedServers.length > 0) {
        deps.say(`servers: stopping the ones this job started (${startedServers.join(', ')})`);
        await stopLocalServers(root, startedServers, options.env).catch((err: unknown) =>
          deps.say(`servers: ${err instanceof Error ? err.message : String(err)}`),
        );
      }
    },
  };
  try {
    const missing = missingBuilds(services);
    if (missing.length > 0) {
      throw new StepError(
        'services',
        `not built: ${missing.join(', ')} — run npm run build (npm start does)`,
        START_EXIT.failed,
      );
    }
    const reused: string[] = [];
    for (const service of services) {
      const probe = await probeService(service);
      if (probe.kind === 'other') {
        throw new StepError(
          'services',
          `port ${service.port} (${service.name}) is taken by something else: ${probe.detail}; free it or pass --port-base`,
          START_EXIT.services,
        );
      }
      if (probe.kind === 'ours') {
        if (probe.servedDataset !== null && probe.servedDataset !== inputs.dataset) {
          throw new StepError(
            'services',
            `the inference service on port ${service.port} serves dataset '${probe.servedDataset}', not '${inputs.dataset}'; stop it or pass --port-base for a second system`,
            START_EXIT.services,
          );
        }
        reused.push(service.name);
        continue;
      }
      supervisor.start(service.process);
    }
    (system as { reusedServices: readonly string[] }).reusedServices = reused;
    if (reused.length > 0) deps.say(`services: reusing ${reused.join(', ')} (already answering)`);
    deps.say(`services: ${services.length - reused.length} started, logs in ${logDir}/<service>.log`);
    // the caller loads data meanwhile; it awaits `alive` before it needs the services
    const alive = waitAlive(services, supervisor, AbortSignal.any([signal, stopping.signal]), 120_000).then(
      () => deps.say('services: all seven alive'),
    );
    alive.catch(() => undefined); // handled where it is awaited
    return { system, alive };
  } catch (err) {
    await system.stop();
    throw err;
  }
}

async function waitAlive(
  services: readonly LocalService[],
  supervisor: Supervisor,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(services);
  while (pending.size > 0) {
    signal.throwIfAborted();
    for (const s of [...pending]) {
      const state = supervisor.state(s.name);
      if (state?.state === 'failed') {
        throw new StepError(
          'services',
          `${s.name} keeps crashing (${state.crashes} crashes); see ${state.logFile}`,
          START_EXIT.services,
        );
      }
      if (await answers(`${s.url}/healthz`)) pending.delete(s);
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      throw new StepError(
        'services',
        `not alive after ${timeoutMs / 1000} s: ${[...pending].map((s) => `${s.name} (${s.process.logFile})`).join(', ')}`,
        START_EXIT.timeout,
      );
    }
    await sleep(500);
  }
}

/** `<log dir>/supervised.json`: each supervised process's pid, state, crashes and log, after every change. */
function writeState(file: string, supervisor: Supervisor): void {
  try {
    writeFileSync(
      file,
      `${JSON.stringify({ supervisorPid: process.pid, processes: supervisor.states() }, null, 2)}\n`,
    );
  } catch {
    // best effort: the supervisor log has the same facts
  }
}

function reportEvent(event: SupervisorEvent, logFile: string, say: (line: string) => void): void {
  const level = event.kind === 'gave-up' ? 'error' : event.kind === 'crashed' ? 'warn' : 'info';
  const line = JSON.stringify({ level, time: new Date().toISOString(), component: 'supervisor', ...event });
  try {
    writeFileSync(logFile, `${line}\n`, { flag: 'a' });
  } catch {
    // the log folder vanished: the line still reaches the terminal below
  }
  if (event.kind === 'crashed') {
    const how = event.signal ? `signal ${event.signal}` : `exit code ${event.code}`;
    say(
      `supervisor: ${event.name} crashed (${how}) after ${(event.uptimeMs / 1000).toFixed(1)} s, crash ${event.crashes}` +
        (event.restartInMs === null ? '' : `; restarting in ${(event.restartInMs / 1000).toFixed(0)} s`),
    );
  } else if (event.kind === 'gave-up') {
    say(
      event.crashes === 1
        ? `supervisor: ${event.name} cannot start on its configuration (exit 78; the reason is the last line of its log); left stopped`
        : `supervisor: ${event.name} crashed ${event.crashes} times in a row; left stopped`,
    );
  } else if (event.kind === 'started' && event.attempt > 1) {
    say(`supervisor: ${event.name} restarted (pid ${event.pid})`);
  }
}

/** Loads the data file when asked to, or when the dataset has no records yet. */
async function ensureData(
  stores: Stores,
  inputs: DatasetInputs,
  say: (line: string) => void,
): Promise<LoadSummary | null> {
  const count = await stores.records.count(inputs.dataset);
  if (!inputs.explicitData && count > 0) {
    say(`data: '${inputs.dataset}' has ${count.toLocaleString('en')} records; not loading again`);
    return null;
  }
  if (inputs.dataPath === null) {
    throw new StepError(
      'data',
      `dataset '${inputs.dataset}' has no records and no data file was given (--data)`,
      START_EXIT.refused,
    );
  }
  say(`data: loading ${inputs.dataPath} into '${inputs.dataset}' …`);
  const progress = progressBar(process.stderr);
  try {
    const summary = await loadRecords({
      csvPath: inputs.dataPath,
      schemaPath: inputs.schemaPath,
      store: stores.records,
      onProgress: (p) =>
        progress.update(p.bytesRead, p.totalBytes, `${p.rowsRead.toLocaleString('en')} rows`),
    });
    progress.finish(`${summary.rowsRead.toLocaleString('en')} rows`);
    say(
      `data: ${summary.inserted.toLocaleString('en')} inserted, ${summary.alreadyPresent.toLocaleString('en')} already present, ${summary.rejected.toLocaleString('en')} rejected`,
    );
    return summary;
  } catch (err) {
    progress.finish();
    if (
      err instanceof HeaderMismatchError ||
      err instanceof DatasetSchemaError ||
      err instanceof SchemaChangedError
    ) {
      throw new StepError('data', `refused ${inputs.dataPath}: ${err.message}`, START_EXIT.refused);
    }
    throw err;
  }
}

/**
 * Publishes a RETRAIN and waits until its run has ended (`netsentry retrain --wait`'s wait: the registry,
 * the stages' ledger rows and refusals on pipeline.dlq), reporting each stage as it is reached.
 */
async function retrainAndWait(
  inputs: DatasetInputs,
  options: StartOptions,
  env: NodeJS.ProcessEnv,
  deps: MainJobDeps,
  signal: AbortSignal,
): Promise<RunOutcome> {
  const command = adminCommand(
    { command: 'RETRAIN', reason: 'npm start: no production model yet', datasetName: inputs.dataset },
    env,
  );
  const since = new Date();
  await (deps.publish ?? publishCommand)(command, env);
  const runId = `run-${command.envelope.eventId}`;
  deps.say(`train: RETRAIN sent; run ${runId}`);
  let last = '';
  return waitForRun(runId, {
    env,
    since,
    signal,
    timeoutMs: options.runTimeoutMs,
    onProgress: (p) => {
      // no stage yet: ingestion has not opened the run (once one was seen, a null stage is the run's end)
      if (p.stage === null && last !== '') return;
      const line =
        p.stage === null
          ? 'waiting for ingestion'
          : `${p.stage} (${p.stagesDone}/${p.stagesTotal} stages done)`;
      if (line === last) return;
      last = line;
      deps.say(`train: ${line}`);
    },
  });
}

/** Waits until inference serves `version` (its /metrics model info) and is ready (/readyz). */
async function waitServing(
  system: RunningSystem,
  version: string,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<void> {
  const inference = system.services.find((s) => s.name === 'inference');
  if (inference === undefined) throw new Error('no inference service');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal.throwIfAborted();
    const probe = await probeService(inference);
    if (
      probe.kind === 'ours' &&
      probe.servedVersion === version &&
      (await answers(`${inference.url}/readyz`))
    ) {
      return;
    }
    if (Date.now() > deadline) {
      throw new StepError(
        'serve',
        `inference did not serve ${version} within ${timeoutMs / 1000} s (serving ${probe.kind === 'ours' ? (probe.servedVersion ?? 'nothing') : probe.kind}); see ${inference.process.logFile}`,
        START_EXIT.timeout,
      );
    }
    await sleep(500);
  }
}

/** The run's stages as `runs show` reports them (outcome, ledger duration, attempts), those it reached. */
async function stageLines(stores: Stores, run: Run): Promise<StageLine[]> {
  const report = await collectRun(stores.registry, run.runId);
  return report.stages
    .filter((s) => s.outcome !== 'pending' && s.outcome !== 'not reached')
    .map((s) => ({
      stage: s.stage,
      status: s.outcome,
      durationMs: s.durationMs,
      attempts: s.attempts,
      detail: s.detail,
    }));
}

function metric(metrics: Readonly<Record<string, number>> | null | undefined, key: string): number | null {
  const v = metrics?.[key];
  return typeof v === 'number' ? v : null;
}

/**
 * The main job: the system up, the data loaded if needed, a model trained and pushed if the dataset has
 * no production model, the test split of the production model's run replayed as live traffic through
 * Kafka, and a summary. Returns the summary and the running system (the caller keeps it serving or stops it).
 */
export async function runMainJob(
  options: StartOptions,
  deps: MainJobDeps,
  signal: AbortSignal,
): Promise<{ summary: StartSummary; system: RunningSystem }> {
  const inputs = await resolveInputs(options.root, options.cwd, options);
  deps.say(`netsentry: dataset '${inputs.dataset}' (schema ${inputs.schemaPath})`);
  const { system, alive } = await bringUp(options, inputs, deps, signal);
  let stores: Stores | undefined;
  try {
    stores = await openStores(system.env);
    // the services start while the data loads (it needs only MongoDB)
    await ensureData(stores, inputs, deps.say);
    await alive;
    let production = await stores.registry.productionBundle(inputs.dataset);
    let run: Run | null = null;
    let trainedNow = false;
    if (production === null) {
      const outcome = await retrainAndWait(inputs, options, system.env, deps, signal);
      trainedNow = true;
      const at = outcome.stage === null ? '' : ` at ${outcome.stage}`;
      const why = `${outcome.reason ?? 'no reason given'}${outcome.code ? ` (${outcome.code})` : ''}`;
      switch (outcome.status) {
        case 'succeeded':
          break;
        case 'quarantined':
          throw new StepError(
            'train',
            `run ${outcome.runId} quarantined${at}: ${why}`,
            START_EXIT.quarantined,
          );
        case 'failed':
          throw new StepError('train', `run ${outcome.runId} failed${at}: ${why}`, START_EXIT.runFailed);
        case 'refused':
          throw new StepError('train', `RETRAIN refused: ${why}`, START_EXIT.refused);
        case 'timeout':
          throw new StepError(
            'train',
            `run ${outcome.runId}: ${why}; see the services' logs`,
            START_EXIT.timeout,
          );
      }
      run = await stores.registry.runs.get(outcome.runId);
      production = await stores.registry.productionBundle(inputs.dataset);
      if (production === null) {
        throw new StepError(
          'train',
          `run ${outcome.runId} succeeded but '${inputs.dataset}' has no production model`,
          START_EXIT.runFailed,
        );
      }
    } else {
      deps.say(
        `train: '${inputs.dataset}' already has production model ${production.version}; not retraining`,
      );
    }
    const model = (await stores.registry.models.get(production.version)) as ModelRecord;
    run ??= await stores.registry.runs.get(model.runId);
    deps.say(`serve: waiting for inference to serve ${production.version} …`);
    await waitServing(system, production.version, signal, 120_000);
    const testSplit = await stores.registry.artifacts.latestOfKind(model.runId, 'dataset/test');
    if (testSplit === null) {
      throw new StepError('replay', `run ${model.runId} recorded no test split to replay`, START_EXIT.failed);
    }
    const workDir = join(stateDir(options.root, options.env), 'start');
    mkdirSync(workDir, { recursive: true });
    const csvPath = join(workDir, `${model.runId}-test.csv`);
    const body = await stores.artifacts.getBuffer(toArtifactRef(testSplit));
    writeFileSync(csvPath, body);
    const traffic: TrafficReport = await deps.traffic.replayAndWatch({
      csvPath,
      schema: inputs.schema,
      format: options.format,
      rate: options.rate,
      limit: options.limit,
      env: system.env,
      say: deps.say,
      signal,
    });
    const services = system.services.map((s) => {
      const state = system.supervisor.state(s.name);
      return {
        name: s.name,
        url: s.url,
        pid: state?.pid ?? null,
        reused: system.reusedServices.includes(s.name),
        crashes: state?.crashes ?? 0,
        log: s.process.logFile,
      };
    });
    const inference = system.services.find((s) => s.name === 'inference');
    const summary: StartSummary = {
      dataset: inputs.dataset,
      run:
        run === null
          ? null
          : {
              runId: run.runId,
              status: run.status,
              reason: run.reason,
              trainedNow,
              startedAt: run.startedAt.toISOString(),
              endedAt: run.endedAt?.toISOString() ?? null,
              stages: await stageLines(stores, run),
            },
      model: {
        version: model.version,
        candidate: model.candidate,
        cvF1: metric(model.cvMetrics, 'f1'),
        testF1: metric(model.testMetrics, 'f1'),
        testPrecision: metric(model.testMetrics, 'precision'),
        testRecall: metric(model.testMetrics, 'recall'),
      },
      traffic,
      firstPredictionAfterMs:
        traffic.firstPredictionAtMs === null ? null : traffic.firstPredictionAtMs - options.startedAtMs,
      services,
      urls: {
        prometheus: system.env.NETSENTRY_PROMETHEUS_URL ?? null,
        analystPage: inference ? `${inference.url}/` : null,
        metrics: system.services.map((s) => `${s.url}/metrics`),
        logs: system.logDir,
      },
    };
    if (options.summaryJson) writeFileSync(options.summaryJson, `${JSON.stringify(summary, null, 2)}\n`);
    process.stdout.write(formatSummary(summary));
    return { summary, system };
  } catch (err) {
    await system.stop();
    throw err;
  } finally {
    await stores?.close();
  }
}
