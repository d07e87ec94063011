import { Controller, Inject } from '@nestjs/common';
import type { ArtifactStore } from '@netsentry/artifacts';
import { loadConfig } from '@netsentry/config';
import type { EventByTopic } from '@netsentry/contracts';
import {
  assertDatasetProfile,
  readLabelledSplits,
  type DatasetProfile,
  type DriftPolicy,
} from '@netsentry/ml';
import type { RecordStore } from '@netsentry/records';
import {
  ARTIFACT_KINDS,
  productionAliasName,
  stageConfig,
  toArtifactRef,
  type Registry,
} from '@netsentry/registry';
import {
  ARTIFACT_STORE,
  emit,
  RECORD_STORE,
  REGISTRY,
  StageHandler,
  type StageContext,
  type StageResult,
} from '@netsentry/runtime';
import { validateDataset, type ValidationPolicy } from './validate-dataset';
import { validationSection } from './validation.config';

const REFERENCE_PROFILE_KIND = ARTIFACT_KINDS.referenceProfile;

@Controller()
export class ValidationController {
  private readonly policy: ValidationPolicy;

  constructor(
    @Inject(RECORD_STORE) private readonly records: RecordStore,
    @Inject(ARTIFACT_STORE) private readonly artifacts: ArtifactStore,
    @Inject(REGISTRY) private readonly registry: Registry,
  ) {
    this.policy = policyFromEnv();
  }

  @StageHandler('data.ingested')
  async onIngested(
    event: EventByTopic['data.ingested'],
    ctx: StageContext<'data.ingested'>,
  ): Promise<StageResult> {
    const runId = ctx.envelope.runId ?? 'unknown-run';
    const schema = await this.records.requireSchema(event.dataset.schema.sha256);
    const { train, test } = await readLabelledSplits(schema, event.dataset, (ref) =>
      this.artifacts.open(ref),
    );
    const result = validateDataset({
      schema,
      train,
      test,
      reference: await this.productionProfile(event.dataset.datasetName),
      policy: this.policy,
    });

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
    if (passed)
      return emit('data.validated', {
        ...common,
        verdict: result.verdict,
      });
    await this.registry.runs.finishRun(runId, 'quarantined', { reason: result.reasons.join('; ') });
    return emit('data.quarantined', {
      ...common,
      verdict: result.verdict,
    });
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

function policyFromEnv(): ValidationPolicy {
  const s = loadConfig(validationSection);
  let columns: DriftPolicy['columns'];
  try {
    columns = JSON.parse(s.NETSENTRY_VALIDATION_DRIFT_COLUMNS) as DriftPolicy['columns'];
  } catch (err) {
    throw new Error(`NETSENTRY_VALIDATION_DRIFT_COLUMNS: not valid JSON (${(err as Error).message})`);
  }
  const drift: DriftPolicy = { ...(columns ? { columns } : {}) };
  return {
    conformance: {
      maxMissingRatio: s.NETSENTRY_VALIDATION_MAX_MISSING_RATIO,
      maxDuplicateRatio: s.NETSENTRY_VALIDATION_MAX_DUPLICATE_RATIO,
      minMinorityShare: s.NETSENTRY_VALIDATION_MIN_MINORITY_SHARE,
      minRows: s.NETSENTRY_VALIDATION_MIN_ROWS,
    },
    referenceDrift: { ...drift, datasetDriftShare: s.NETSENTRY_VALIDATION_DATASET_DRIFT_SHARE },
    // Any drifted column between two halves of one random split means something is wrong with the data.
    splitDrift: {
      ...drift,
      ...(s.NETSENTRY_VALIDATION_SPLIT_DRIFT_ANY_COLUMN ? { datasetDriftShare: 1e-9 } : {}),
    },
  };
}
