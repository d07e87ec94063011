import { productionAliasName, type Registry, type StageExecution } from '@netsentry/registry';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeadLetterWatch, type PipelineDeadLetter } from './dlq-watch';
import { progressBar } from './progress';
import { withRegistry } from './registry-session';
import { collectRun, commandIdOfRun, type RunReport } from './runs';
import { duration } from './table';

/**
 * Exit codes of `retrain --wait`, `rollback --wait` and `promote --wait` (documented in their help):
 * 0 done (run succeeded and its model was pushed; production moved), 3 quarantined (data or model),
 * 4 failed (a stage dead-lettered the run or the command), 5 refused (the command went to pipeline.dlq:
 * RUN_IN_PROGRESS, ADMIN_*, or one of the pusher's refusals), 6 timed out.
 */
export const WAIT_EXIT = { succeeded: 0, quarantined: 3, failed: 4, refused: 5, timeout: 6 } as const;

export type WaitStatus = keyof typeof WAIT_EXIT;

/** How a RETRAIN's run ended, as `waitForRun` saw it. */
export interface RunOutcome {
  readonly runId: string;
  /** The RETRAIN command's id (the run id is `run-<command id>`). */
  readonly commandId: string | null;
  readonly status: WaitStatus;
  /** Why, in words: the run's reason, the dead letter's, or what it was doing when the wait gave up. */
  readonly reason: string | null;
  /** The stage that ended it (quarantined, failed, refused) or, on a timeout, the one at work. */
  readonly stage: string | null;
  /** The dead letter's errorCode for failed and refused (RUN_IN_PROGRESS, ADMIN_STALE, …), else null. */
  readonly code: string | null;
  readonly dataset: string | null;
  /** The model the run made (pushed when succeeded), or null. */
  readonly modelVersion: string | null;
  /** Each stage's time in ms, in pipeline order (null for a stage that did not finish). */
  readonly durations: Readonly<Record<string, number | null>>;
  /** From the run's start (or the wait's, without a run) to its end or the time-out. */
  readonly elapsedMs: number;
  /** The run as `runs show` reports it, when the registry has it. */
  readonly report: RunReport | null;
}

/** Where a run is while `waitForRun` polls it. */
export interface RunProgress {
  readonly runId: string;
  /** The stage at work (the first not yet finished), or null once all have reported. */
  readonly stage: string | null;
  readonly stagesDone: number;
  readonly stagesTotal: number;
  readonly elapsedMs: number;
}

export interface WaitOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Default 30 minutes for a run, 5 minutes for production. */
  readonly timeoutMs?: number;
  /** Registry poll interval; default 1 s. */
  readonly pollMs?: number;
  /** Dead letters written before this are not looked at; default one minute before the call. */
  readonly since?: Date;
  readonly signal?: AbortSignal;
}

export interface RunWaitOptions extends WaitOptions {
  readonly onProgress?: (progress: RunProgress) => void;
}

/** Dead-letter codes that mean "refused before anything was done", whatever the command. */
const REFUSAL = /^(RUN_IN_PROGRESS|ADMIN_[A-Z_]+)$/;

/**
 * Whether a dead-lettered admin command was refused or failed. RETRAIN: refused only for RUN_IN_PROGRESS
 * and ADMIN_* (anything else happened after the run opened: a failure, e.g. UNKNOWN_DATASET). ROLLBACK and
 * PROMOTE: every pusher refusal code (NOT_ACCEPTED, UNKNOWN_VERSION, VERIFICATION_FAILED, …) is a refusal;
 * HANDLER_FAILED (retries exhausted) and a crash loop are failures.
 */
export function deadLetterStatus(
  command: 'RETRAIN' | 'ROLLBACK' | 'PROMOTE',
  code: string | null,
): 'refused' | 'failed' {
  if (code !== null && REFUSAL.test(code)) return 'refused';
  if (command === 'RETRAIN') return 'failed';
  return code === null || code === 'HANDLER_FAILED' ? 'failed' : 'refused';
}

/** A ledger row's dead-letter reason without the runtime's `<kind>: <ErrorName>: ` prefix. */
export function ledgerReason(e: StageExecution): string {
  return (e.deadLetterReason ?? e.lastError?.message ?? 'dead-lettered')
    .replace(/^(non-retryable|exhausted|crash-loop|decode): /, '')
    .replace(/^[A-Za-z]*(Error|Refused): /, '');
}

/** The dead letter, among those seen, of this command or of an event of its run. */
export function deadLetterOf(
  letters: readonly PipelineDeadLetter[],
  ids: { readonly commandId: string | null; readonly runId?: string },
): PipelineDeadLetter | undefined {
  return letters.find(
    (l) =>
      (ids.commandId !== null && l.envelope.causationId === ids.commandId) ||
      (ids.runId !== undefined && l.envelope.runId === ids.runId),
  );
}

const DONE = new Set(['succeeded', 'quarantined', 'failed', 'not reached']);

export function runProgress(report: RunReport, now: Date): RunProgress {
  const at = report.stages.find((s) => !DONE.has(s.outcome));
  return {
    runId: report.runId,
    stage: at?.stage ?? null,
    stagesDone: report.stages.filter((s) => DONE.has(s.outcome)).length,
    stagesTotal: report.stages.length,
    elapsedMs: now.getTime() - report.startedAt.getTime(),
  };
}

const durationsOf = (report: RunReport | null): Record<string, number | null> =>
  Object.fromEntries((report?.stages ?? []).map((s) => [s.stage, s.durationMs] as const));

function fromReport(report: RunReport, override?: Partial<RunOutcome>): RunOutcome {
  const status: WaitStatus = report.status === 'running' ? 'timeout' : report.status;
  return {
    runId: report.runId,
    commandId: report.commandId,
    status,
    reason: report.end?.reason ?? null,
    stage: report.end?.stage ?? null,
    code: report.end?.code ?? null,
    dataset: report.dataset,
    modelVersion: report.model?.version ?? null,
    durations: durationsOf(report),
    elapsedMs: report.elapsedMs,
    report,
    ...override,
  };
}

/** One look at the registry and the dead letters: the outcome when the run (or its command) has ended. */
async function lookAtRun(
  registry: Registry,
  runId: string,
  commandId: string | null,
  letters: readonly PipelineDeadLetter[],
  started: number,
): Promise<{ outcome: RunOutcome | null; progress: RunProgress }> {
  const now = new Date();
  const run = await registry.runs.get(runId);
  const report = run === null ? null : await collectRun(registry, runId, now);
  if (report !== null && report.status !== 'running') {
    const letter = report.status === 'failed' ? deadLetterOf(letters, { commandId, runId }) : undefined;
    return {
      outcome: fromReport(report, letter ? { code: letter.errorCode } : {}),
      progress: runProgress(report, now),
    };
  }
  const letter = deadLetterOf(letters, { commandId, runId });
  const ingestion =
    letter === undefined && report === null && commandId !== null
      ? await registry.executions.get('ingestion', commandId)
      : null;
  const elapsedMs = report?.elapsedMs ?? now.getTime() - started;
  const base = {
    runId,
    commandId,
    dataset: report?.dataset ?? null,
    modelVersion: report?.model?.version ?? null,
    durations: durationsOf(report),
    elapsedMs,
    report,
  };
  if (letter !== undefined) {
    return {
      outcome: {
        ...base,
        status: deadLetterStatus('RETRAIN', letter.errorCode),
        reason: letter.reason.replace(/^[A-Za-z]*(Error|Refused): /, ''),
        stage: letter.envelope.producer.service,
        code: letter.errorCode,
      },
      progress: report
        ? runProgress(report, now)
        : { runId, stage: 'ingestion', stagesDone: 0, stagesTotal: 6, elapsedMs },
    };
  }
  if (ingestion?.status === 'dead-lettered') {
    const code = ingestion.lastError?.code ?? null;
    return {
      outcome: {
        ...base,
        status: deadLetterStatus('RETRAIN', code),
        reason: ledgerReason(ingestion),
        stage: 'ingestion',
        code,
      },
      progress: { runId, stage: 'ingestion', stagesDone: 0, stagesTotal: 6, elapsedMs },
    };
  }
  return {
    outcome: null,
    progress: report
      ? runProgress(report, now)
      : { runId, stage: 'ingestion', stagesDone: 0, stagesTotal: 6, elapsedMs },
  };
}

/**
 * Waits for the run `runId` (`run-<RETRAIN command id>`) to end: succeeded (its model pushed), quarantined
 * (data or model, with the stage and reason), failed (a stage dead-lettered one of its events: the registry
 * still calls such a run running), or refused (the RETRAIN itself went to pipeline.dlq: RUN_IN_PROGRESS,
 * ADMIN_*). Polls the registry every `pollMs` and reads pipeline.dlq from `since`; resolves `timeout` after
 * `timeoutMs`. Never throws for an outcome; throws a ConfigError for a missing NETSENTRY_MONGO_* or
 * NETSENTRY_KAFKA_* variable, and rejects when aborted.
 */
export async function waitForRun(runId: string, options: RunWaitOptions = {}): Promise<RunOutcome> {
  const env = options.env ?? process.env;
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const pollMs = options.pollMs ?? 1_000;
  const commandId = commandIdOfRun(runId);
  const watch = await DeadLetterWatch.open(env, (options.since?.getTime() ?? started) - 60_000);
  try {
    return await withRegistry(env, async (registry) => {
      for (;;) {
        options.signal?.throwIfAborted();
        await watch.poll();
        const { outcome, progress } = await lookAtRun(registry, runId, commandId, watch.seen(), started);
        options.onProgress?.(progress);
        if (outcome !== null) return outcome;
        if (Date.now() - started >= timeoutMs) {
          const report = (await registry.runs.get(runId)) ? await collectRun(registry, runId) : null;
          const at = progress.stage;
          return {
            runId,
            commandId,
            status: 'timeout',
            reason:
              report === null
                ? `no run ${runId} after ${duration(timeoutMs)}: is ingestion running and the command signed with its secret?`
                : `still running after ${duration(timeoutMs)}${at ? `, at ${at}` : ''}`,
            stage: at,
            code: null,
            dataset: report?.dataset ?? null,
            modelVersion: report?.model?.version ?? null,
            durations: durationsOf(report),
            elapsedMs: Date.now() - started,
            report,
          };
        }
        await sleep(pollMs, undefined, options.signal ? { signal: options.signal } : {});
      }
    });
  } finally {
    await watch.close();
  }
}

/** How a ROLLBACK or PROMOTE ended, as `waitForProduction` saw it. */
export interface ProductionOutcome {
  readonly commandId: string;
  readonly status: Exclude<WaitStatus, 'quarantined'>;
  /** The dataset whose production it acted on (from the alias it moved), or the one asked about. */
  readonly dataset: string | null;
  /** Production of that dataset now (after the move), or null when unknown. */
  readonly version: string | null;
  readonly previousVersion: string | null;
  readonly action: 'PUSH' | 'ROLLBACK' | 'PROMOTE' | null;
  readonly reason: string | null;
  /** The dead letter's errorCode (NOT_ACCEPTED, NOTHING_TO_ROLL_BACK, ADMIN_STALE, …). */
  readonly code: string | null;
  readonly elapsedMs: number;
}

export interface ProductionWaitOptions extends WaitOptions {
  /** The admin command's id (its envelope.eventId): the pusher records its alias move under it. */
  readonly commandId: string;
  readonly command?: 'ROLLBACK' | 'PROMOTE';
  /** The version production must end at (promote, rollback --to). */
  readonly expectVersion?: string;
  /** The version production must leave (rollback without --to: the production version before it). */
  readonly notVersion?: string;
  readonly onProgress?: (progress: { readonly elapsedMs: number; readonly version: string | null }) => void;
}

/**
 * Waits for the pusher to carry out a ROLLBACK or PROMOTE: done when the alias move recorded under the
 * command's id appears (or the pusher completed it without a move because production was already there,
 * `expectVersion`/`notVersion` checked against `dataset`'s alias); refused or failed when the command went
 * to pipeline.dlq (or the pusher's ledger says so); `timeout` after `timeoutMs`.
 */
export async function waitForProduction(
  dataset: string | null,
  options: ProductionWaitOptions,
): Promise<ProductionOutcome> {
  const env = options.env ?? process.env;
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;
  const pollMs = options.pollMs ?? 1_000;
  const { commandId } = options;
  const command = options.command ?? 'PROMOTE';
  const alias = dataset === null ? null : productionAliasName(dataset);
  const watch = await DeadLetterWatch.open(env, (options.since?.getTime() ?? started) - 60_000);
  try {
    return await withRegistry(env, async (registry) => {
      for (;;) {
        options.signal?.throwIfAborted();
        await watch.poll();
        const elapsedMs = Date.now() - started;
        const base = { commandId, elapsedMs };
        const move = await registry.aliases.moveByEvent(commandId);
        if (move !== null) {
          return {
            ...base,
            status: 'succeeded',
            dataset: move.alias.startsWith('production-') ? move.alias.slice('production-'.length) : dataset,
            version: move.version,
            previousVersion: move.previousVersion,
            action: move.action,
            reason: move.reason,
            code: null,
          };
        }
        const head = alias === null ? null : await registry.aliases.get(alias);
        const letter = deadLetterOf(watch.seen(), { commandId });
        if (letter !== undefined) {
          return {
            ...base,
            status: deadLetterStatus(command, letter.errorCode),
            dataset,
            version: head?.version ?? null,
            previousVersion: null,
            action: null,
            reason: letter.reason.replace(/^[A-Za-z]*(Error|Refused): /, ''),
            code: letter.errorCode,
          };
        }
        const pusher = await registry.executions.get('pusher', commandId);
        if (pusher?.status === 'dead-lettered') {
          const code = pusher.lastError?.code ?? null;
          return {
            ...base,
            status: deadLetterStatus(command, code),
            dataset,
            version: head?.version ?? null,
            previousVersion: null,
            action: null,
            reason: ledgerReason(pusher),
            code,
          };
        }
        const satisfied =
          (options.expectVersion === undefined || head?.version === options.expectVersion) &&
          (options.notVersion === undefined || (head !== null && head.version !== options.notVersion));
        if (pusher?.status === 'completed' && satisfied) {
          return {
            ...base,
            status: 'succeeded',
            dataset,
            version: head?.version ?? options.expectVersion ?? null,
            previousVersion: null,
            action: null,
            reason: 'already production: nothing to do',
            code: null,
          };
        }
        options.onProgress?.({ elapsedMs, version: head?.version ?? null });
        if (elapsedMs >= timeoutMs) {
          return {
            ...base,
            status: 'timeout',
            dataset,
            version: head?.version ?? null,
            previousVersion: null,
            action: null,
            reason:
              pusher === null
                ? `the pusher has not taken command ${commandId} after ${duration(timeoutMs)}: is it running, with the same admin secret?`
                : `no alias move for command ${commandId} after ${duration(timeoutMs)}`,
            code: null,
          };
        }
        await sleep(pollMs, undefined, options.signal ? { signal: options.signal } : {});
      }
    });
  } finally {
    await watch.close();
  }
}

/** The outcome of a RETRAIN's run in a few lines (stdout of `retrain --wait`). */
export function formatRunOutcome(o: RunOutcome): string {
  const took = duration(o.elapsedMs);
  const lines: string[] = [];
  switch (o.status) {
    case 'succeeded':
      lines.push(
        `run ${o.runId} succeeded in ${took}: model ${o.modelVersion ?? '?'} pushed to production${o.dataset ? ` of ${o.dataset}` : ''}`,
      );
      break;
    case 'quarantined':
      lines.push(
        `run ${o.runId} quarantined${o.stage ? ` at ${o.stage}` : ''} after ${took}: ${o.reason ?? ''}`,
      );
      break;
    case 'failed':
      lines.push(
        `run ${o.runId} failed${o.stage ? ` at ${o.stage}` : ''} after ${took}${o.code ? ` (${o.code})` : ''}: ${o.reason ?? ''}`,
      );
      break;
    case 'refused':
      lines.push(`RETRAIN refused${o.code ? ` (${o.code})` : ''}: ${o.reason ?? ''}`);
      break;
    case 'timeout':
      lines.push(`timed out: ${o.reason ?? ''}; follow it with netsentry runs show ${o.runId}`);
      break;
  }
  const stages = Object.entries(o.durations).filter(([, ms]) => ms !== null);
  if (stages.length > 0)
    lines.push(`  stages: ${stages.map(([s, ms]) => `${s} ${duration(ms)}`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

export function formatProductionOutcome(o: ProductionOutcome, asked: string): string {
  switch (o.status) {
    case 'succeeded':
      return o.action === null
        ? `${asked}: ${o.version ?? 'the version'} is already production${o.dataset ? ` of ${o.dataset}` : ''}, nothing to do\n`
        : `${asked} done in ${duration(o.elapsedMs)}: production${o.dataset ? ` of ${o.dataset}` : ''} is ${o.version ?? '?'} (was ${o.previousVersion ?? 'none'})\n`;
    case 'refused':
    case 'failed':
      return `${asked} ${o.status}${o.code ? ` (${o.code})` : ''}: ${o.reason ?? ''}; production${o.dataset ? ` of ${o.dataset}` : ''} is ${o.version ?? 'unchanged'}\n`;
    case 'timeout':
      return `timed out: ${o.reason ?? ''}\n`;
  }
}

/** A stderr progress display for `retrain --wait`: the stage at work and the time so far. */
export function runProgressDisplay(stream: NodeJS.WriteStream = process.stderr): {
  update(p: RunProgress): void;
  finish(): void;
} {
  const bar = progressBar(stream);
  let last = '';
  return {
    update(p) {
      const at = p.stage ?? 'finishing';
      const detail = `${p.runId}: ${at}, ${duration(p.elapsedMs)}`;
      // Off a terminal a line per change of stage, not per poll.
      if (!stream.isTTY && at === last) return;
      last = at;
      bar.update(p.stagesDone, p.stagesTotal, detail);
    },
    finish() {
      bar.finish();
    },
  };
}
