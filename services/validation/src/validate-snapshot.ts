import { Inject, Injectable } from '@nestjs/common';
import type { EventByTopic } from '@netsentry/contracts';
import type { DatasetSchema } from '@netsentry/dataset';
import {
  assertDatasetProfile,
  readLabelledSplits,
  StatsError,
  type ColumnDriftPolicy,
  type DatasetProfile,
  type DriftPolicy,
} from '@netsentry/ml';
import { ARTIFACT_KINDS, productionAliasName, stageConfig, toArtifactRef } from '@netsentry/registry';
import {
  ARTIFACT_STORE,
  emit,
  NonRetryableError,
  RECORD_STORE,
  REGISTRY,
  type StageResult,
} from '@netsentry/runtime';
import type { UseCaseContext, ValidationArtifacts, ValidationRecords, ValidationRegistry } from './ports';
import { validateDataset, type ValidationPolicy } from './validate-dataset';
import { VALIDATION_POLICY } from './validation.config';

const REFERENCE_PROFILE_KIND = ARTIFACT_KINDS.referenceProfile;
/** Methods that compare distributions of numbers: refused on a categorical column. */
const NUMERIC_ONLY = new Set(['ks', 'wasserstein']);

/**
 * data.ingested → the snapshot's train and test splits checked against the schema and for drift (between
 * them, and against the dataset's production reference profile) → the report and the training profile
 * stored with their lineage → data.validated, or data.quarantined with the reasons (and the run ended).
 */
@Injectable()
export class ValidateSnapshot {
  constructor(
    @Inject(RECORD_STORE) private readonly records: ValidationRecords,
    @Inject(ARTIFACT_STORE) private readonly artifacts: ValidationArtifacts,
    @Inject(REGISTRY) private readonly registry: ValidationRegistry,
    @Inject(VALIDATION_POLICY) private readonly policy: ValidationPolicy,
  ) {}

  async execute(event: EventByTopic['data.ingested'], ctx: UseCaseContext): Promise<StageResult> {
    const runId = ctx.envelope.runId ?? 'unknown-run';
    const schema = await this.records.requireSchema(event.dataset.schema.sha256);
    const policy = policyFor(schema, this.policy);
    const { train, test } = await readLabelledSplits(schema, event.dataset, (ref) =>
      this.artifacts.open(ref),
    );
    const reference = await this.productionProfile(event.dataset.datasetName);
    const result = checked(() => validateDataset({ schema, train, test, reference, policy }));

    const { trainProfile, ...report } = result;
    const reportRef = await this.artifacts.putJson({ runId, kind: 'report/validation', value: report });
    const profileRef = await this.artifacts.putJson({
      runId,
      kind: REFERENCE_PROFILE_KIND,
      value: trainProfile,
    });
    const producedBy = { stage: 'validation', eventId: ctx.envelope.eventId };
    await this.registry.artifacts.record({
      ref: reportRef,
      kind: 'report/validation',
      runId,
      parents: [event.dataset.train.uri, event.dataset.test.uri],
      producedBy,
    });
    await this.registry.artifacts.record({
      ref: profileRef,
      kind: REFERENCE_PROFILE_KIND,
      runId,
      parents: [event.dataset.train.uri],
      producedBy,
    });

    const passed = result.verdict === 'PASSED' || result.verdict === 'PASSED_WITH_WARNINGS';
    ctx.logger.info({ runId, verdict: result.verdict, reasons: result.reasons }, 'snapshot validated');
    await this.registry.runs.recordStage(runId, 'validation', {
      status: passed ? 'succeeded' : 'quarantined',
      eventId: ctx.envelope.eventId,
      detail: `${result.verdict}${result.reasons.length > 0 ? `: ${result.reasons.slice(0, 3).join('; ')}` : ''}`,
      config: stageConfig(this.policy),
    });
    const common = {
      dataset: event.dataset,
      report: reportRef,
      reasons: [...result.reasons],
      driftedColumns: [...result.driftedColumns],
      referenceModelVersion: result.referenceModelVersion,
    };
    const verdict = result.verdict;
    if (verdict === 'PASSED' || verdict === 'PASSED_WITH_WARNINGS') {
      return emit('data.validated', { ...common, verdict });
    }
    await this.registry.runs.finishRun(runId, 'quarantined', { reason: result.reasons.join('; ') });
    return emit('data.quarantined', { ...common, verdict });
  }

  /** The reference profile stored with the dataset's production model, if it has one. */
  private async productionProfile(
    dataset: string,
  ): Promise<{ modelVersion: string; profile: DatasetProfile } | null> {
    const alias = await this.registry.aliases.get(productionAliasName(dataset));
    if (!alias) return null;
    const model = await this.registry.models.get(alias.version);
    if (!model) return null;
    const ref = await this.registry.artifacts.latestOfKind(model.runId, REFERENCE_PROFILE_KIND);
    if (!ref) return null;
    const profile: unknown = await this.artifacts.getJson(toArtifactRef(ref));
    assertDatasetProfile(profile);
    return { modelVersion: alias.version, profile };
  }
}

/** A drift policy the statistics refuse is a configuration error: no retry can fix it. */
function checked<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof StatsError && e.code === 'STATS_INVALID_POLICY') {
      throw new NonRetryableError(`drift policy: ${e.message}`, 'INVALID_DRIFT_POLICY', { cause: e });
    }
    throw e;
  }
}

/**
 * The configured policy applied to one dataset: each categorical feature compared after the encoder's
 * grouping (its `values`, `max_categories`, `min_frequency`: decision 0075), and the configured column
 * overrides checked against the schema. An override whose method does not suit its column is a
 * configuration error: refused without retries, naming the variable. Overrides of columns this dataset
 * does not have are left alone (the variable serves every dataset).
 */
export function policyFor(schema: DatasetSchema, policy: ValidationPolicy): ValidationPolicy {
  const configured = policy.splitDrift.columns ?? {};
  for (const [name, override] of Object.entries(configured)) {
    const column = schema.features.find((c) => c.name === name);
    if (
      column &&
      column.type !== 'numeric' &&
      override.method !== undefined &&
      NUMERIC_ONLY.has(override.method)
    ) {
      throw new NonRetryableError(
        `NETSENTRY_VALIDATION_DRIFT_COLUMNS: "${name}" is a ${column.type} column of dataset ` +
          `'${schema.name}'; ${override.method} compares numbers (use chisquare, z, jensenshannon or psi)`,
        'INVALID_DRIFT_POLICY',
      );
    }
  }
  const grouped = (drift: DriftPolicy): DriftPolicy => {
    const columns: Record<string, ColumnDriftPolicy> = { ...drift.columns };
    for (const c of schema.features) {
      if (c.type !== 'categorical') continue;
      const categories = {
        ...(c.values === undefined ? {} : { values: c.values }),
        ...(c.maxCategories === undefined ? {} : { maxCategories: c.maxCategories }),
        ...(c.minFrequency === undefined ? {} : { minFrequency: c.minFrequency }),
      };
      columns[c.name] = { categories, ...columns[c.name] };
    }
    return { ...drift, columns };
  };
  return {
    ...policy,
    splitDrift: grouped(policy.splitDrift),
    referenceDrift: grouped(policy.referenceDrift),
  };
}
