import { Test } from '@nestjs/testing';
import type { ArtifactRef } from '@netsentry/contracts';
import type { EvaluationReport } from '@netsentry/ml';
import { productionAliasName, type ModelRecord, type ModelStatus } from '@netsentry/registry';
import { REGISTRY } from '@netsentry/runtime';
import { MemoryRegistry } from '@netsentry/testkit';
import { ModelDatasets } from '../../src/model-datasets';
import type { DatasetsPort, RefusalMetrics, ReleasePort, VerifierPort } from '../../src/ports';
import { ProductionRelease, type ReleaseRequest, type ReleaseOutcome } from '../../src/production-release';
import { PushAcceptedModel } from '../../src/push-accepted-model';
import { PusherMetrics } from '../../src/pusher.metrics';
import { RollbackOrPromote } from '../../src/rollback-or-promote';
import { BundleVerifier, type Verification } from '../../src/verification/bundle-verifier';

// The pusher's use cases on an in-memory registry, with a verifier whose verdict the test sets and a
// release that moves the registry's alias as ProductionRelease does (its S3 copy aside).

export function bundle(version: string): ArtifactRef {
  const sha256 = version
    .padEnd(64, '0')
    .replace(/[^0-9a-f]/g, 'a')
    .slice(0, 64);
  return {
    uri: `s3://memory/runs/run-1/model/bundle/${sha256}`,
    sha256,
    sizeBytes: 10,
    rowCount: null,
    mediaType: 'application/json',
  };
}

export class FakeVerifier implements VerifierPort {
  verdict: Verification = { ok: true, samples: 8, maxDelta: 0, ms: 1 };
  /** The production version the evaluator compared with (the report's productionAtEvaluation). */
  evaluatedAgainst: string | null | undefined = undefined;

  report(): ReturnType<VerifierPort['report']> {
    const value = { productionAtEvaluation: this.evaluatedAgainst } as EvaluationReport;
    return Promise.resolve({ ok: true, value });
  }
  verify(): Promise<Verification> {
    return Promise.resolve(this.verdict);
  }
  sampleCount(): Promise<number> {
    return Promise.resolve(8);
  }
}

export class FakeRelease implements ReleasePort {
  readonly requests: ReleaseRequest[] = [];
  constructor(private readonly registry: MemoryRegistry) {}

  moveOf(eventId: string): ReturnType<ReleasePort['moveOf']> {
    return this.registry.aliases.moveByEvent(eventId);
  }

  async release(request: ReleaseRequest): Promise<ReleaseOutcome> {
    this.requests.push(request);
    const alias = productionAliasName(request.dataset);
    const head = await this.registry.aliases.get(alias);
    await this.registry.aliases.move(alias, request.target.version, {
      expectedRevision: head?.revision ?? 0,
      reason: request.reason,
      actor: request.actor,
      action: request.action,
      eventId: request.eventId,
    });
    await this.registry.models.transition(request.target.version, ['accepted', 'retired'], 'pushed');
    return {
      kind: 'released',
      moved: true,
      pushed: {
        action: request.action,
        alias,
        dataset: request.dataset,
        modelVersion: request.target.version,
        bundle: request.target.bundle,
        previousVersion: head?.version ?? null,
        reason: request.reason,
        verifiedSamples: request.verifiedSamples,
      },
    };
  }
}

export interface PusherFixture {
  readonly registry: MemoryRegistry;
  readonly verifier: FakeVerifier;
  readonly release: FakeRelease;
  readonly refusals: string[];
  readonly push: PushAcceptedModel;
  readonly command: RollbackOrPromote;
  /** Registers a model of `dataset` with `status`. */
  model(version: string, status: ModelStatus, dataset?: string, reasons?: string[]): ModelRecord;
}

export async function pusherFixture(): Promise<PusherFixture> {
  const registry = new MemoryRegistry();
  const verifier = new FakeVerifier();
  const release = new FakeRelease(registry);
  const refusals: string[] = [];
  const datasets: DatasetsPort = { of: (m) => Promise.resolve(m.dataset) };
  const metrics: RefusalMetrics = { refused: (code) => void refusals.push(code) };
  const module = await Test.createTestingModule({
    providers: [
      { provide: REGISTRY, useValue: registry },
      { provide: BundleVerifier, useValue: verifier },
      { provide: ProductionRelease, useValue: release },
      { provide: ModelDatasets, useValue: datasets },
      { provide: PusherMetrics, useValue: metrics },
      PushAcceptedModel,
      RollbackOrPromote,
    ],
  }).compile();
  return {
    registry,
    verifier,
    release,
    refusals,
    push: module.get(PushAcceptedModel),
    command: module.get(RollbackOrPromote),
    model: (version, status, dataset = 'phishing', reasons = []) =>
      registry.models.add({ version, bundle: bundle(version), status, dataset, reasons }),
  };
}

/** What a use case threw, for assertions on refusals. */
export async function refusal(
  work: Promise<unknown>,
): Promise<{ code: string; message: string; retryable: boolean }> {
  try {
    await work;
  } catch (e) {
    return e as { code: string; message: string; retryable: boolean };
  }
  throw new Error('expected a refusal');
}
