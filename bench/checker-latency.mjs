// Latency of the derivation checker: the cold first check (Python start, numpy import) and warm
// checks through the fork server, of Python files and of a notebook. Prints medians; not a test.
// Usage: node bench/checker-latency.mjs [--runs N] [--python PATH]
import * as esbuild from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const runs = Number(arg('--runs', '30'));
const python = arg('--python', process.env.BACKPROP_MAP_PYTHON || 'python3');

// The runner and the notebook reader are TypeScript: bundle them once into a temporary CommonJS file.
const tmp = mkdtempSync(join(tmpdir(), 'bpm-bench-'));
const out = join(tmp, 'runner.cjs');
await esbuild.build({
  stdin: { contents: "export * from './src/checker/runner'; export * from './src/checker/notebook';", resolveDir: root, loader: 'ts' },
  bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'warning',
});
const { CheckerRunner, checkNotebook, readNotebook } = createRequire(import.meta.url)(out);
const harnessDir = join(root, 'src/checker/python');

const pyCheck = (file) => {
  const text = readFileSync(join(root, 'test/fixtures/checker', file), 'utf8');
  return (runner) => runner.check(text, 'warm.py');
};
// The L-layer notebook: 13 cells, its helpers imported from dnn_utils.py beside it on every check.
const notebook = join(root, 'test/fixtures/checker/notebooks/deep/deep_correct.ipynb');
const cells = readNotebook(readFileSync(notebook, 'utf8'));
const checks = {
  'two-layer (notes)': pyCheck('two_layer_correct.py'),
  'ten units (layers, activations, a loss)': pyCheck('units/ten_units_correct.py'),
  'L-layer [4, 5, 3, 1]': pyCheck('L_layer_correct.py'),
  'two-layer, a wrong dZ1': pyCheck('wrong_relu_mask.py'),
  'L-layer notebook with helper modules': (runner) => checkNotebook(runner, cells, notebook, { folder: dirname(notebook) }),
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (ms) => `${ms.toFixed(1)} ms`;

console.log(`(load average at start ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores)`);
try {
  const colds = [];
  for (let i = 0; i < 3; i++) {
    const runner = new CheckerRunner({ python, harnessDir });
    const t0 = performance.now();
    await checks['two-layer (notes)'](runner);
    colds.push(performance.now() - t0);
    runner.dispose();
  }
  console.log(`cold first check (start Python + numpy, then check), two-layer: median ${fmt(median(colds))} of ${colds.length} (${colds.map(fmt).join(', ')})`);

  const runner = new CheckerRunner({ python, harnessDir });
  await runner.warmUp();
  // CPU time of the server and its reaped children (Linux /proc), which a busy machine does not inflate.
  const cpuMs = () => {
    try {
      const stat = readFileSync(`/proc/${runner.proc.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10; // utime stime cutime cstime, 100 ticks/s
    } catch {
      return NaN;
    }
  };
  for (const [name, check] of Object.entries(checks)) {
    const first = await check(runner);
    if (first.gradients.some((g) => g.status !== 'ok')) console.log(`(${name}: ${first.gradients.filter((g) => g.status !== 'ok').map((g) => g.name).join(', ')} wrong, as meant)`);
    if (first.units.length > 1) console.log(`(${name}: ${first.units.length} units, ${first.units.filter((u) => u.status === 'ok').length} right)`);
    const ms = [];
    const cpu0 = cpuMs();
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await check(runner);
      ms.push(performance.now() - t0);
    }
    const cpu = (cpuMs() - cpu0) / runs;
    console.log(`warm check, ${name}: median ${fmt(median(ms))}, min ${fmt(Math.min(...ms))}, max ${fmt(Math.max(...ms))} over ${runs} runs; CPU ${fmt(cpu)} per check`);
  }
  console.log(`(load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores)`);
  runner.dispose();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
