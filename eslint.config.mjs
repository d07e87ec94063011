// One lint setup for the whole monorepo: typescript-eslint with type information, so `any`
// cannot leak across module boundaries (no-unsafe-* rules) and floating promises are caught.
import js from '@eslint/js';
import globals from 'globals';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import tseslint from 'typescript-eslint';

// The layer rule (decision 0055): a service imports only libs/ and contracts/ (never another service, in its
// sources or its tests), libs/ never import a service, contracts/ imports nothing of libs/ or services/.
// Checked on the import specifier by ESLint's own no-restricted-imports: a workspace package name, or a
// relative path that climbs out of the package into a sibling (the folder names are unique, see the test).
const SERVICES = readdirSync(join(import.meta.dirname, 'services'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const anyOf = (names) => `(?:${names.join('|')})`;
const restricted = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
/** A service by its package name, or (from inside services/) by a path climbing into its folder. */
const noServices = (names, { fromSibling }, message) => ({
  regex: `^(?:@netsentry/${anyOf(names)}|(?:\\.\\./)+${fromSibling ? '(?:services/)?' : 'services/'}${anyOf(names)})(?:/|$)`,
  message,
});
export const LAYER_RULES = [
  ...SERVICES.map((service) => ({
    files: [`services/${service}/**/*.{ts,mts,cts,js,mjs}`],
    rules: restricted([
      noServices(
        SERVICES.filter((other) => other !== service),
        { fromSibling: true },
        'services depend on libs/ and contracts/ only, never on another service: move what is shared to ' +
          'libs/ (test harness code to libs/testkit; start another stage by name with StageHarness from @netsentry/testkit)',
      ),
    ]),
  })),
  {
    files: ['libs/**/*.{ts,mts,cts,js,mjs}'],
    rules: restricted([
      noServices(
        SERVICES,
        { fromSibling: false },
        'libs/ never import a service: services depend on libs/, not the other way round',
      ),
    ]),
  },
  {
    files: ['contracts/**/*.{ts,mts,cts,js,mjs}'],
    rules: restricted([
      {
        regex: '^(?:@netsentry/(?!contracts(?:/|$))|(?:\\.\\./)+(?:libs|services)/)',
        message: 'contracts/ is the lowest layer: it imports nothing of libs/ or services/',
      },
    ]),
  },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.local/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Tests may use the looser style of assertions and fixtures.
    files: ['**/*.test.ts', '**/test/**/*.ts', 'e2e/**/*.ts'],
    rules: {
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  ...LAYER_RULES,
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
);
