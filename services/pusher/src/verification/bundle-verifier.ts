import {
  ArtifactIntegrityError,
  ArtifactNotFoundError,
  ArtifactNotJsonError,
  type ArtifactStore,
} from '@netsentry/artifacts';
import type { ArtifactRef } from '@netsentry/contracts';
import {
  EVALUATION_REPORT_KIND,
  EvaluationReportError,
  frameFromJson,
  parseEvaluationReport,
  type EvaluationReport,
} from '@netsentry/ml';
import { toArtifactRef, type ModelRecord, type Registry } from '@netsentry/registry';
import type { PusherMetrics } from '../pusher.metrics';
import { compareScores, formatDelta } from './compare-scores';
import { scoreInIsolation, type IsolationLimits } from './isolated-scoring';

export interface VerifierSettings extends IsolationLimits {
  /** Largest |Δ| allowed between the pusher's and the evaluator's score of a sample. */
  readonly tolerance: number;
}

/** The outcome of verifying a bundle; a failure carries the reason in words, prefixed `pusher:`. */
export type Verification =
  | { readonly ok: true; readonly samples: number; readonly maxDelta: number; readonly ms: number }
  | { readonly ok: false; readonly reason: string };

type Step<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** A run's evaluation report as `BundleVerifier.report` finds it: the report, or why it cannot be used. */
export type ReportLookup = Step<EvaluationReport>;

const short = (sha256: string): string => sha256.slice(0, 12);
const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();
const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason: `pusher: ${reason}` });

/** Errors that reading the same artifact again cannot fix; anything else (S3 unreachable) is retried. */
function isPermanent(e: unknown): e is Error {
  return (
    e instanceof ArtifactNotFoundError ||
    e instanceof ArtifactIntegrityError ||
    e instanceof ArtifactNotJsonError
  );
}

/**
 * The pusher's check before the production alias moves: the model's bundle is loaded in an isolated worker
 * and must reproduce the evaluator's scores of the sample records in the evaluation report of its run.
 * Infrastructure errors propagate (the handler retries); anything about the model or its report is a
 * failed verification with the reason in words.
 */
export class BundleVerifier {
  constructor(
    private readonly artifacts: ArtifactStore,
    private readonly registry: Registry,
    private readonly settings: VerifierSettings,
    private readonly metrics?: PusherMetrics,
  ) {}

  /**
   * Re-scores the sample records of `runId`'s evaluation report with `model`'s bundle, in isolation. Pass the
   * report when the caller has already looked it up (`report`), so it is not read twice.
   */
  async verify(model: ModelRecord, runId: string, report?: ReportLookup): Promise<Verification> {
    const started = performance.now();
    const verification = await this.check(model, runId, report ?? (await this.report(model, runId)));
    this.metrics?.verified(verification.ok ? 'passed' : 'failed', (performance.now() - started) / 1000);
    return verification;
  }

  private async check(model: ModelRecord, runId: string, report: ReportLookup): Promise<Verification> {
    if (!report.ok) return report;
    const { records, scores: expected } = report.value.samples;
    if (expected.length === 0) return fail(`the evaluation report of run ${runId} has no sample records`);
    try {
      frameFromJson(records);
    } catch (e) {
      if (e instanceof EvaluationReportError) return fail(e.message);
      throw e;
    }
    const bundle = await this.read(model.bundle, 'bundle');
    if (!bundle.ok) return bundle;

    const n = expected.length;
    const scored = await scoreInIsolation(bundle.value, records, this.settings);
    if (!scored.ok) {
      const why = oneLine(scored.message);
      switch (scored.failure) {
        case 'load':
          return fail(`the bundle failed to load in isolation: ${why}`);
        case 'score':
          return fail(`the bundle failed to score the ${n} sample records: ${why}`);
        case 'crash':
          return fail(`the isolated worker crashed while loading or scoring the bundle: ${why}`);
        case 'timeout':
          return fail(
            `the bundle did not score ${n} sample records within ${this.settings.timeoutMs / 1000} s; ` +
              'the isolated worker was stopped',
          );
      }
    }
    if (scored.scores.length !== n) {
      return fail(`the bundle returned ${scored.scores.length} scores for ${n} sample records`);
    }
    const comparison = compareScores(expected, scored.scores, this.settings.tolerance);
    if (comparison.mismatches > 0) {
      return fail(
        `${comparison.mismatches} of ${n} sample scores differ from the evaluator's ` +
          `(max |Δ| ${formatDelta(comparison.maxDelta)})`,
      );
    }
    return { ok: true, samples: n, maxDelta: comparison.maxDelta, ms: scored.ms };
  }

  /** Samples in the run's report (what a re-emitted model.pushed reports as verified), or 0 without one. */
  async sampleCount(model: ModelRecord, runId: string): Promise<number> {
    const report = await this.report(model, runId);
    return report.ok ? report.value.samples.scores.length : 0;
  }

  /** The run's evaluation report, which must be about this very model and bundle. */
  async report(model: ModelRecord, runId: string): Promise<ReportLookup> {
    const stored = await this.registry.artifacts.latestOfKind(runId, EVALUATION_REPORT_KIND);
    if (!stored) {
      return fail(`run ${runId} has no evaluation report (${EVALUATION_REPORT_KIND}) to verify against`);
    }
    const bytes = await this.read(toArtifactRef(stored), 'evaluation report');
    if (!bytes.ok) return bytes;
    let report: EvaluationReport;
    try {
      report = parseEvaluationReport(bytes.value);
    } catch (e) {
      if (e instanceof EvaluationReportError) return fail(e.message);
      throw e;
    }
    const sha = report.bundle.sha256;
    if (report.modelVersion !== model.version || sha !== model.bundle.sha256) {
      return fail(
        `the evaluation report of run ${runId} is for model ${report.modelVersion} (bundle ${short(sha)}), ` +
          `not ${model.version} (bundle ${short(model.bundle.sha256)})`,
      );
    }
    return { ok: true, value: report };
  }

  private async read(ref: ArtifactRef, what: string): Promise<Step<Buffer>> {
    try {
      return { ok: true, value: await this.artifacts.getBuffer(ref) };
    } catch (e) {
      if (isPermanent(e)) return fail(`the ${what} ${ref.uri} could not be read: ${e.message}`);
      throw e;
    }
  }
}
