import { Inject, Injectable } from '@nestjs/common';
import type { EventByTopic } from '@netsentry/contracts';
import { datasetOfProductionAlias, productionAliasName, RegistryValueError } from '@netsentry/registry';
import { emit, REGISTRY, type StageResult } from '@netsentry/runtime';
import { ModelDatasets } from './model-datasets';
import type { CommandRegistry, DatasetsPort, ReleasePort, UseCaseContext, VerifierPort } from './ports';
import { ProductionRelease } from './production-release';
import { PushRefused, commandTarget, isReleasable, notReleasable, rollbackDataset } from './refusals';
import { BundleVerifier } from './verification/bundle-verifier';

type Command = EventByTopic['admin.commands'] & { readonly command: 'ROLLBACK' | 'PROMOTE' };

/**
 * An operator's ROLLBACK or PROMOTE: a dataset's production goes to a version the evaluator accepted at
 * some point, after the same isolated verification as a push, and model.pushed announces it with the
 * action. The version decides the dataset (PROMOTE, ROLLBACK --to); a ROLLBACK without one acts on the
 * dataset it names, or on the only dataset with a production model. Other datasets are never touched.
 */
@Injectable()
export class RollbackOrPromote {
  constructor(
    @Inject(REGISTRY) private readonly registry: CommandRegistry,
    @Inject(BundleVerifier) private readonly verifier: VerifierPort,
    @Inject(ProductionRelease) private readonly release: ReleasePort,
    @Inject(ModelDatasets) private readonly datasets: DatasetsPort,
  ) {}

  async execute(command: Command, ctx: UseCaseContext): Promise<StageResult> {
    const action = command.command;
    const eventId = ctx.envelope.eventId;
    // A redelivered command whose move was already made: finish that one. Resolving "the previous version"
    // again would roll back a second time.
    const earlier = await this.release.moveOf(eventId);
    const earlierDataset = earlier === null ? null : datasetOfProductionAlias(earlier.alias);
    const { version, dataset } =
      earlier !== null && earlierDataset !== null
        ? { version: earlier.version, dataset: earlierDataset }
        : await this.resolve(command);

    const model = await this.registry.models.get(version);
    if (model === null) {
      throw new PushRefused('UNKNOWN_VERSION', `${action} refused: model ${version} is not in the registry`);
    }
    if (!isReleasable(model.status)) throw notReleasable(`${action} to ${version}`, model);
    const modelDataset = await this.datasets.of(model);
    if (modelDataset !== null && modelDataset !== dataset) {
      throw new PushRefused(
        'DATASET_MISMATCH',
        `${action} to ${version} refused: it is a model of dataset '${modelDataset}', not '${dataset}'`,
      );
    }
    const head = await this.registry.aliases.get(productionAliasName(dataset));
    if (earlier === null && head?.version === version) {
      ctx.logger.info(
        { action, version, dataset },
        `${action}: ${version} is already production for ${dataset}, nothing to do`,
      );
      return;
    }

    const verification = await this.verifier.verify(model, model.runId);
    if (!verification.ok) {
      throw new PushRefused('VERIFICATION_FAILED', `${action} to ${version} refused: ${verification.reason}`);
    }
    const outcome = await this.release.release({
      action,
      target: model,
      dataset,
      reason: command.reason,
      actor: command.requestedBy,
      eventId,
      verifiedSamples: verification.samples,
    });
    if (outcome.kind === 'superseded') {
      ctx.logger.info(
        { action, version, dataset, production: outcome.production },
        `${action} was carried out earlier and production has moved on since: nothing to emit`,
      );
      return;
    }
    ctx.logger.info(
      {
        action,
        version,
        dataset,
        previous: outcome.pushed.previousVersion,
        requestedBy: command.requestedBy,
        reason: command.reason,
        samples: verification.samples,
      },
      `production alias moved: ${action}`,
    );
    return emit('model.pushed', outcome.pushed);
  }

  /** The version the command points production at, and the dataset whose production it is. */
  private async resolve(command: Command): Promise<{ version: string; dataset: string }> {
    const named = command.datasetName;
    if (named !== null) aliasOf(command.command, named); // refuses a name no dataset can have
    if (command.targetModelVersion !== null) {
      const version = command.targetModelVersion;
      const model = await this.registry.models.get(version);
      if (model === null) {
        throw new PushRefused(
          'UNKNOWN_VERSION',
          `${command.command} refused: model ${version} is not in the registry`,
        );
      }
      const dataset = (await this.datasets.of(model)) ?? named;
      if (dataset === null) {
        throw new PushRefused(
          'VERIFICATION_FAILED',
          `${command.command} to ${version} refused: its bundle cannot be read, so neither its dataset`,
        );
      }
      if (named !== null && named !== dataset) {
        throw new PushRefused(
          'DATASET_MISMATCH',
          `${command.command} to ${version} refused: it is a model of dataset '${dataset}', not '${named}'`,
        );
      }
      return { version, dataset };
    }
    if (command.command === 'PROMOTE') {
      throw new PushRefused('TARGET_REQUIRED', 'PROMOTE refused: the command names no targetModelVersion');
    }
    const withProduction = (await this.registry.productions()).map((p) => p.dataset);
    const dataset = rollbackDataset(named, withProduction);
    const alias = aliasOf(command.command, dataset);
    const aliases = this.registry.aliases;
    const version = commandTarget(command, await aliases.get(alias), await aliases.previous(alias), dataset);
    return { version, dataset };
  }
}

function aliasOf(action: string, dataset: string): string {
  try {
    return productionAliasName(dataset);
  } catch (e) {
    if (e instanceof RegistryValueError) {
      throw new PushRefused('INVALID_DATASET', `${action} refused: ${e.message}`);
    }
    throw e;
  }
}
