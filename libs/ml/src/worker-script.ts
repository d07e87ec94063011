import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkerOptions } from 'node:worker_threads';

/** What `new Worker(filename, options)` needs to start one entry file, compiled or not. */
export interface WorkerScript {
  readonly filename: string;
  readonly options: Pick<WorkerOptions, 'eval' | 'workerData' | 'execArgv'>;
}

/**
 * How to start the worker entry `<dir>/<name>`: from dist, the compiled `<name>.js` next to the caller.
 * Under vitest the caller is TypeScript and Node cannot run `<name>.ts` itself, so a small CommonJS
 * bootstrap installs a `.ts` require hook and loads the sources; `--conditions=development` makes
 * workspace packages resolve to their sources too, as they do in the tests. Pass the caller's `__dirname`.
 *
 * The hook compiles with the `typescript` package (a devDependency, pure JavaScript), not @swc/core: a
 * native addon loaded in a worker thread segfaults the whole process when a second thread loads it after
 * the first one ended (measured on Node 20 with @swc/core 1.16), and these workers are meant to be
 * thrown away.
 */
export function workerScript(dir: string, name: string): WorkerScript {
  const compiled = join(dir, `${name}.js`);
  if (existsSync(compiled)) return { filename: compiled, options: {} };
  const entry = join(dir, `${name}.ts`);
  const resolveFrom = createRequire(entry);
  const typescriptPath = resolveFrom.resolve('typescript');
  const { version } = resolveFrom('typescript/package.json') as { version: string };
  const cacheDir = join(tmpdir(), 'netsentry-worker-ts');
  const bootstrap = `
    const { workerData } = require('node:worker_threads');
    const { createHash } = require('node:crypto');
    const fs = require('node:fs');
    const path = require('node:path');
    let ts;
    const compile = (source, fileName) => {
      ts ??= require(workerData.typescriptPath);
      const compilerOptions = {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        experimentalDecorators: true,
      };
      return ts.transpileModule(source, { compilerOptions, fileName }).outputText;
    };
    require.extensions['.ts'] = (module, filename) => {
      const source = fs.readFileSync(filename, 'utf8');
      // Compiled once per content, then read back: every thrown-away worker would otherwise recompile.
      const key = createHash('sha256').update(workerData.compiler + '\\0' + filename + '\\0').update(source).digest('hex');
      const cached = path.join(workerData.cacheDir, key + '.js');
      let code;
      try {
        code = fs.readFileSync(cached, 'utf8');
      } catch {
        code = compile(source, filename);
        fs.mkdirSync(workerData.cacheDir, { recursive: true });
        const tmp = cached + '.' + process.pid + '.' + require('node:worker_threads').threadId;
        fs.writeFileSync(tmp, code);
        fs.renameSync(tmp, cached);
      }
      module._compile(code, filename);
    };
    require(workerData.entry);`;
  return {
    filename: bootstrap,
    options: {
      eval: true,
      workerData: { typescriptPath, compiler: `typescript@${version}`, entry, cacheDir },
      execArgv: ['--conditions=development'],
    },
  };
}
