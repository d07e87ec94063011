import { ESLint } from 'eslint';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/local-infra';

// The layer rule of eslint.config.mjs (decision 0055), run through ESLint's Node API with the repository's
// own configuration on source text as a file at that path would hold it. Only that rule runs, without type
// information (which it does not need and which would cost a TypeScript program per run).

const eslint = new ESLint({
  cwd: repoRoot,
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
});

/** The layer-rule messages ESLint reports for `code` as the file `path`. */
async function layerErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(repoRoot, path) });
  const fatal = result!.messages.filter((m) => m.fatal);
  expect(fatal).toEqual([]);
  return result!.messages
    .filter((m) => m.ruleId === 'no-restricted-imports')
    .map((m) => `${m.severity === 2 ? 'error' : 'warning'} ${m.line}: ${m.message}`);
}

describe('the layer rule', () => {
  it("fails a service's test that imports another service's source", async () => {
    const errors = await layerErrors(
      'services/trainer/test/trainer.int.test.ts',
      "import { transformDataset } from '../../transform/src/transform-dataset';\nexport const f = transformDataset;\n",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^error 1: .*services depend on libs\/ and contracts\/ only, never on another service/,
    );
  }, 60_000);

  it('fails a service that imports another by its package name or by a path from the root', async () => {
    const errors = await layerErrors(
      'services/pusher/src/pusher.module.ts',
      [
        "export { IngestionModule } from '@netsentry/ingestion/src/ingestion.module';",
        "export { EvaluatorModule } from '../../../services/evaluator/src/evaluator.module';",
        "export type { InferenceModule } from '@netsentry/inference';",
        '',
      ].join('\n'),
    );
    expect(errors.map((e) => e.slice(0, 8))).toEqual(['error 1:', 'error 2:', 'error 3:']);
  }, 60_000);

  it('fails libs/ importing a service, and contracts/ importing libs/ or services/', async () => {
    expect(
      await layerErrors(
        'libs/ml/src/split.ts',
        "export { TransformModule } from '../../../services/transform/src/transform.module';\n",
      ),
    ).toEqual([expect.stringMatching(/^error 1: .*libs\/ never import a service/)]);
    expect(
      await layerErrors(
        'contracts/src/errors.ts',
        "export { loadConfig } from '@netsentry/config';\nexport { Stores } from '../../libs/runtime/src';\n",
      ),
    ).toEqual([
      expect.stringMatching(/^error 1: .*contracts\/ is the lowest layer/),
      expect.stringMatching(/^error 2: .*contracts\/ is the lowest layer/),
    ]);
  }, 60_000);

  it('lets a service import libs/, contracts/ and its own code, and libs/ a subpath of contracts', async () => {
    expect(
      await layerErrors(
        'services/trainer/test/trainer.int.test.ts',
        [
          "export { StageHarness } from '@netsentry/testkit';",
          "export { transformDataset } from '@netsentry/ml';",
          "export { topicName } from '@netsentry/contracts';",
          "export { TrainerModule } from '../src/trainer.module';",
          '',
        ].join('\n'),
      ),
    ).toEqual([]);
    expect(
      await layerErrors(
        'libs/ml/src/split.ts',
        "export { CodedError } from '@netsentry/contracts/coded-error';\n",
      ),
    ).toEqual([]);
  }, 60_000);

  it('can tell services apart by folder name: no folder inside a service is named like another service', () => {
    const services = readdirSync(join(repoRoot, 'services'));
    const folders = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && e.name !== 'node_modules' && e.name !== 'dist')
        .flatMap((e) => [e.name, ...folders(join(dir, e.name))]);
    for (const service of services) {
      expect(folders(join(repoRoot, 'services', service)).filter((f) => services.includes(f))).toEqual([]);
    }
  });
});
