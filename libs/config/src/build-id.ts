import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** What `npm run build` records (scripts/write-build-id.mjs): the git commit the code was built from. */
export interface BuildId {
  readonly commit: string;
  /** Tracked files differed from the commit at build time. */
  readonly dirty: boolean;
  readonly builtAt: string;
}

/** The build-id file of this checkout: libs/config/build-id.json (next to both src/ and dist/). */
export const BUILD_ID_FILE = resolve(__dirname, '..', 'build-id.json');

/** The build id, or null when the code was not built by `npm run build` in a git checkout. */
export function readBuildId(file: string = BUILD_ID_FILE): BuildId | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const raw = JSON.parse(text) as Partial<BuildId>;
  if (typeof raw.commit !== 'string' || !/^[0-9a-f]{40}$/.test(raw.commit)) {
    throw new Error(`${file}: 'commit' must be a 40-hex git commit (rebuild with npm run build)`);
  }
  return { commit: raw.commit, dirty: raw.dirty === true, builtAt: String(raw.builtAt ?? '') };
}

/**
 * The code version a service reports when NETSENTRY_SERVICE_VERSION is not set: the commit it was built
 * from (`<sha>`, or `<sha>-dirty` when tracked files had changes), or null without a build id.
 */
export function buildVersion(file: string = BUILD_ID_FILE): string | null {
  const id = readBuildId(file);
  return id === null ? null : `${id.commit}${id.dirty ? '-dirty' : ''}`;
}
