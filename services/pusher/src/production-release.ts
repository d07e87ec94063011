import { ArtifactConflictError, type ArtifactStore } from '@netsentry/artifacts';
import type { ArtifactRef } from '@netsentry/contracts';
import {
  ARTIFACT_KINDS,
  productionAliasName,
  type AliasAction,
  type AliasHistoryEntry,
  type ModelRecord,
  type Registry,
} from '@netsentry/registry';
import type { EventBody } from '@netsentry/runtime';
import type { ModelDatasets } from './model-datasets';
import type { PusherMetrics } from './pusher.metrics';
import { PushRefused } from './refusals';

/** Registry kind of a bundle's immutable copy under the production prefix. */
export const PRODUCTION_BUNDLE_KIND = ARTIFACT_KINDS.productionBundle;
/** File name of the copy: `<prefix>/<modelVersion>/bundle.json`. */
const PRODUCTION_BUNDLE_NAME = 'bundle.json';
/** How many pushed models of other versions are looked at when the replaced ones are retired. */
const PUSHED_WINDOW = 50;

export interface ReleaseRequest {
  readonly action: AliasAction;
  /** A verified model the evaluator accepted at some point. */
  readonly target: ModelRecord;
  /** The target's dataset: the production alias that moves is `productionAliasName(dataset)`. */
  readonly dataset: string;
  readonly reason: string;
  readonly actor: string;
  /** The incoming event's id: the move's idempotency key. */
  readonly eventId: string;
  readonly verifiedSamples: number;
}

export type ReleaseOutcome =
  | {
      readonly kind: 'released';
      /** False when the alias was already there (a redelivery finishing an earlier move). */
      readonly moved: boolean;
      readonly pushed: EventBody<'model.pushed'>;
    }
  /** This event's move was made earlier and the alias has moved on since: announcing it again would undo that. */
  | { readonly kind: 'superseded'; readonly production: string | null };

/**
 * Points the production alias of the model's dataset at a verified model: an immutable copy of its bundle
 * under the production prefix (recorded in the lineage), the alias moved by compare-and-set with the event
 * id as idempotency key, and the model statuses mirrored (the target pushed, whatever it replaced in that
 * dataset retired). Other datasets' production models are never touched. Every step is safe to repeat, so
 * a redelivery after a crash anywhere in between finishes the same release.
 */
export class ProductionRelease {
  constructor(
    private readonly artifacts: ArtifactStore,
    private readonly registry: Registry,
    private readonly datasets: ModelDatasets,
    private readonly prefix: string,
    private readonly metrics: PusherMetrics,
  ) {}

  /** The move this event made earlier, on whichever alias, if any (found again after a crash or redelivery). */
  moveOf(eventId: string): Promise<AliasHistoryEntry | null> {
    return this.registry.aliases.moveByEvent(eventId);
  }

  async release(request: ReleaseRequest): Promise<ReleaseOutcome> {
    const { target, dataset } = request;
    const alias = productionAliasName(dataset);
    const bundle = await this.productionCopy(target, request.eventId);
    const aliases = this.registry.aliases;

    let entry = await this.moveOf(request.eventId);
    let moved = false;
    if (entry === null) {
      const head = await aliases.get(alias);
      if (head?.version === target.version) {
        // Already production (an earlier delivery moved it, then crashed): finish that move, never repeat it.
        entry = (await aliases.history(alias, 1))[0] ?? null;
      } else {
        await aliases.move(alias, target.version, {
          expectedRevision: head?.revision ?? 0,
          reason: request.reason,
          actor: request.actor,
          action: request.action,
          eventId: request.eventId,
        });
        entry = await this.moveOf(request.eventId);
        moved = true;
      }
      if (entry === null) throw new Error(`alias '${alias}' has no history entry for its head`);
    }

    const now = await aliases.get(alias);
    if (now?.version !== target.version) return { kind: 'superseded', production: now?.version ?? null };

    await this.mirrorStatuses(target.version, dataset, entry);
    if (moved) this.metrics.moved(entry.action, dataset);
    this.metrics.productionIs(dataset, target.version);
    return {
      kind: 'released',
      moved,
      pushed: {
        action: entry.action,
        alias,
        dataset,
        modelVersion: target.version,
        bundle,
        previousVersion: entry.previousVersion,
        reason: entry.reason,
        verifiedSamples: request.verifiedSamples,
      },
    };
  }

  /** The bundle's copy at `<prefix>/<version>/bundle.json` (copying is a no-op when it is already there). */
  private async productionCopy(target: ModelRecord, eventId: string): Promise<ArtifactRef> {
    let copy: ArtifactRef;
    try {
      copy = await this.artifacts.copy(target.bundle, `${this.prefix}/${target.version}`, {
        name: PRODUCTION_BUNDLE_NAME,
      });
    } catch (e) {
      if (e instanceof ArtifactConflictError) {
        throw new PushRefused(
          'PRODUCTION_COPY_CONFLICT',
          `the production copy of ${target.version} exists with other content: ${e.message}`,
        );
      }
      throw e;
    }
    await this.registry.artifacts.record({
      ref: copy,
      kind: PRODUCTION_BUNDLE_KIND,
      runId: target.runId,
      parents: [target.bundle.uri],
      producedBy: { stage: 'pusher', eventId },
    });
    return copy;
  }

  /**
   * Exactly one model per dataset is 'pushed': the head of its alias; the one it replaced (and any stray of
   * the same dataset) is 'retired'. Pushed models of other datasets stay pushed.
   */
  private async mirrorStatuses(version: string, dataset: string, entry: AliasHistoryEntry): Promise<void> {
    const models = this.registry.models;
    await models.transition(version, ['accepted', 'retired'], 'pushed', {
      reasons: [`in production for ${dataset}: ${entry.action} by ${entry.actor}: ${entry.reason}`],
    });
    const replaced = new Set<string>();
    for (const m of await models.list({ status: 'pushed', limit: PUSHED_WINDOW })) {
      if (m.version !== version && (await this.datasets.of(m)) === dataset) replaced.add(m.version);
    }
    if (entry.previousVersion !== null && entry.previousVersion !== version) {
      replaced.add(entry.previousVersion);
    }
    for (const old of replaced) {
      await models.transition(old, ['pushed'], 'retired', {
        reasons: [`replaced in production for ${dataset} by ${version} (${entry.action} by ${entry.actor})`],
      });
    }
  }
}
