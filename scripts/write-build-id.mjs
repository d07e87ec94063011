#!/usr/bin/env node
// Run by `npm run build` after the compile: records the git commit the code was built from in
// libs/config/build-id.json, which the services report as their code version (envelope producer.version,
// logs, metrics, the registry's lineage) unless NETSENTRY_SERVICE_VERSION says otherwise. A tree with
// uncommitted changes to tracked files is marked dirty: the commit alone does not name that code.
// Without git (a source tarball) the file is removed, so a stale one is never reported.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'libs', 'config', 'build-id.json');
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();

let commit;
try {
  commit = git('rev-parse', 'HEAD');
} catch {
  rmSync(target, { force: true });
  process.stdout.write(
    'build id: not a git checkout, services will report NETSENTRY_SERVICE_VERSION or dev\n',
  );
  process.exit(0);
}
const dirty = git('status', '--porcelain', '--untracked-files=no').length > 0;
const buildId = { commit, dirty, builtAt: new Date().toISOString() };
writeFileSync(target, `${JSON.stringify(buildId, null, 2)}\n`);
process.stdout.write(`build id: ${commit}${dirty ? ' (dirty)' : ''} → libs/config/build-id.json\n`);
