import { ConfigError } from '@netsentry/config';
import { resolve } from 'node:path';
import { InputError } from './inputs';
import { runMainJob, START_EXIT, StepError, type RunningSystem, type StartOptions } from './main-job';
import { InfraError } from './servers';
import type { TrafficDriver } from './traffic';

export interface StartCommandOptions {
  readonly dataset?: string;
  readonly data?: string;
  readonly schema?: string;
  readonly once: boolean;
  readonly portBase: number;
  readonly servers: boolean;
  readonly keepServers: boolean;
  readonly format: 'avro' | 'json';
  readonly rate?: number;
  readonly limit?: number;
  readonly summaryJson?: string;
  readonly logDir?: string;
  readonly driftRetrain: boolean;
  readonly runTimeout: number;
}

/** The repository root: the CLI runs from `<root>/cli/dist`. */
export function repositoryRoot(): string {
  return resolve(__dirname, '..', '..', '..');
}

/**
 * `netsentry start` (what `npm start` runs): the main job, then serving until Ctrl-C or SIGTERM (or, with
 * --once, exit after the summary). Stops exactly what it started. Resolves with the exit code.
 */
export async function start(
  opts: StartCommandOptions,
  env: NodeJS.ProcessEnv,
  traffic: TrafficDriver,
): Promise<number> {
  const startedAtMs = Number(env.NETSENTRY_START_T0_MS) || Date.now();
  // every line with the time since the command started (npm start passes its own start time)
  const say = (line: string): void =>
    void process.stderr.write(`[${((Date.now() - startedAtMs) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
  const controller = new AbortController();
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((r) => (wake = r));
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      say(`netsentry: ${signal}: stopping what this command started …`);
      controller.abort(new Error(`stopped by ${signal}`));
      wake();
    } else {
      say('netsentry: still stopping (services finish the work in hand, then get SIGKILL after 20 s)');
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal); // the terminal closed: stop what was started, as for Ctrl-C
  const options: StartOptions = {
    root: repositoryRoot(),
    cwd: process.cwd(),
    dataset: opts.dataset,
    data: opts.data,
    schema: opts.schema,
    once: opts.once,
    portBase: opts.portBase,
    servers: opts.servers,
    keepServers: opts.keepServers,
    format: opts.format,
    rate: opts.rate,
    limit: opts.limit,
    summaryJson: opts.summaryJson,
    logDir: opts.logDir === undefined ? undefined : resolve(opts.logDir),
    serviceEnv: opts.driftRetrain ? { NETSENTRY_INFERENCE_DRIFT_RETRAIN: 'true' } : undefined,
    runTimeoutMs: opts.runTimeout * 1000,
    startedAtMs,
    env,
  };
  let system: RunningSystem | undefined;
  try {
    let summary;
    ({ system, summary } = await runMainJob(options, { traffic, say }, controller.signal));
    const t = summary.traffic;
    const problem =
      t.missing > 0
        ? `${t.missing} of ${t.replayed} replayed records got no prediction and no dead letter in time`
        : t.duplicates > 0
          ? `${t.duplicates} records were predicted more than once`
          : null;
    if (problem !== null) say(`netsentry: live failed: ${problem}; see ${system.logDir}/inference.log`);
    if (opts.once) {
      say('netsentry: --once: stopping what this command started');
      await system.stop();
      return problem === null ? START_EXIT.ok : START_EXIT.failed;
    }
    say('netsentry: serving. Ctrl-C (or SIGTERM) stops the services this command started.');
    await stopped;
    await system.stop();
    return START_EXIT.ok;
  } catch (err) {
    if (controller.signal.aborted) {
      say(`netsentry: interrupted before the job finished (${String(controller.signal.reason)})`);
      return START_EXIT.interrupted;
    }
    if (err instanceof StepError) {
      say(`netsentry: ${err.step} failed: ${err.message}`);
      return err.exitCode;
    }
    if (err instanceof InputError) {
      say(`netsentry: ${err.message}`);
      return START_EXIT.refused;
    }
    if (err instanceof InfraError) {
      say(`netsentry: servers failed: ${err.message}`);
      return START_EXIT.services;
    }
    if (err instanceof ConfigError) throw err; // main() prints it and exits 78
    say(`netsentry: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return START_EXIT.failed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}
