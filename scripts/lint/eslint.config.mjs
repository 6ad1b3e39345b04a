// `npm run lint`: typescript-eslint's recommended type-checked rules over every TypeScript file of
// the project (src/, test/, bench/, scripts/), each with the types of its runtime: the nearest
// tsconfig.json (src/webview, src/extension, src/worker, src/cli; the root one for everything else).
// No list of folders: a new folder under src/ is linted like the rest.
//
// Tuned where a rule fights the code's deliberate style:
// - no-unnecessary-type-assertion is off: the code writes `!` on every indexed access (`W[l]!`,
//   `dims[0]!`), as under noUncheckedIndexedAccess, to say the index is in range; without that
//   option the rule calls each `!` unnecessary and would have them removed.
// - no-floating-promises knows node:test's test(), describe(), before() …: node:test awaits them.
// - no-unused-vars takes `_name` as unused on purpose: destructuring drops a field that way.
// - restrict-template-expressions also allows arrays: messages and test names print layer sizes
//   as `[${dims}]`, on purpose.
// - only-throw-error allows the math checker's signals (src/derivations/: NotUnderstood, ShapeError,
//   OperandShapeError, ClaimError, NoRule): thrown for every picture and sentence of a document, they
//   are plain objects on purpose, as a stack trace for each would cost more than the check.
// - tests and benchmarks may use `any` (the no-unsafe-* rules, no-explicit-any): they parse the
//   command line's JSON output, package.json and model files and assert on what they find, and the
//   benchmark drives untyped peer libraries; the shipped code (src/) is held to all of them. They
//   also take methods off prototypes to count calls (unbound-method).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', 'dist/**', 'out/**', '.test-artifacts/**', '.vscode-test/**', 'bench/.peers/**', '**/*.d.ts', '**/*.d.mts'],
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: root } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] }],
      '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_' }],
      '@typescript-eslint/only-throw-error': [
        'error',
        { allow: [{ from: 'file', name: ['NotUnderstood', 'ShapeError', 'OperandShapeError', 'ClaimError', 'NoRule'] }] },
      ],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true, allowArray: true }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
