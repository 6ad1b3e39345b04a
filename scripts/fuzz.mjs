// The long fuzz run: the fuzz suite of `npm test` with many more cases and a new seed each time
// (printed, so that a run can be repeated). FUZZ_SEED and FUZZ_CASES set them; FUZZ_CASE runs one case.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seed = process.env.FUZZ_SEED ?? String(Date.now() % 2 ** 32);
const cases = process.env.FUZZ_CASES ?? '3000';
console.log(`fuzz: seed ${seed}, ${process.env.FUZZ_CASE !== undefined ? `case ${process.env.FUZZ_CASE}` : `${cases} cases`}`);
const r = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-reporter=dot', join(root, 'out/test/fuzz/cli_survives_random_inputs.test.js')], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, FUZZ_SEED: seed, FUZZ_CASES: cases },
});
process.exit(r.status ?? 1);
