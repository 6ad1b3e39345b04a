// The long fuzz run: the fuzz suite of `npm test` with many more cases and a new seed each time
// (printed, so that a run can be repeated), and the checker's hostile-file suite with more combinations.
// FUZZ_SEED, FUZZ_CASES and FUZZ_CHECKER_CASES set them; FUZZ_CASE runs one case of the command-line suite.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seed = process.env.FUZZ_SEED ?? String(Date.now() % 2 ** 32);
const cases = process.env.FUZZ_CASES ?? '3000';
const checkerCases = process.env.FUZZ_CHECKER_CASES ?? '200';
console.log(`fuzz: seed ${seed}, ${process.env.FUZZ_CASE !== undefined ? `case ${process.env.FUZZ_CASE}` : `${cases} command-line cases, ${checkerCases} checker combinations`}`);
const suites = ['cli_survives_random_inputs', ...(process.env.FUZZ_CASE !== undefined ? [] : ['checker_survives_hostile_python_files'])];
const r = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-reporter=dot', ...suites.map((s) => join(root, `out/test/fuzz/${s}.test.js`))], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, FUZZ_SEED: seed, FUZZ_CASES: cases, FUZZ_CHECKER_CASES: checkerCases },
});
process.exit(r.status ?? 1);
