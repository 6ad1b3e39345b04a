/**
 * `npm run bench:cli`: the time users feel. Whole-process `backprop-map train` on the workloads
 * W1–W4 written to CSV, against a plain numpy script of the same network, data and epochs
 * (bench/cli_reference.py), runs alternating A B A B …; medians and ratios. Each command also runs
 * with --epochs 0 (load, set up, evaluate once), so that the training part can be told apart from
 * the start-up: per epoch = (median wall time − median wall time at 0 epochs) / epochs.
 *
 * numpy runs with OpenBLAS's default thread count and with OPENBLAS_NUM_THREADS=1 (on small
 * matrices its threads cost more than they bring); the faster is the baseline.
 * Both start from the same parameters (the CLI's, saved at 0 epochs) and must end at the same cost.
 * Options: --rounds N (default 5), --only W1,W3.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineReport } from '../src/core/fast/engine';
import { numpyEnv, python } from './lib/reference';
import { median } from './lib/timing';
import { type Workload, workloads } from './lib/workloads';

const root = process.cwd();
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const rounds = Number(option('--rounds') ?? 5);
const only = option('--only')?.split(',') ?? null;
const LEARNING_RATE = 0.05;
/** Enough epochs that training, not start-up, is most of a run (W4's epochs are long). */
const EPOCHS: Record<string, number> = { W1: 20_000, W2: 10_000, W3: 10_000, W4: 20 };

interface Command {
  name: string;
  run: (epochs: number) => { seconds: number; cost: number; engine?: EngineReport };
}

function writeCsv(w: Workload, file: string): void {
  const n = w.X.rows;
  const m = w.X.cols;
  const lines = [[...Array.from({ length: n }, (_, i) => `x${i + 1}`), 'y'].join(',')];
  for (let j = 0; j < m; j++) {
    const row: string[] = [];
    for (let i = 0; i < n; i++) row.push(String(w.X.data[i * m + j]));
    row.push(String(w.Y.data[j]));
    lines.push(row.join(','));
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

function timed(cmd: string, argv: string[], env: NodeJS.ProcessEnv): { seconds: number; stdout: string } {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', env, maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.error?.message ?? r.stderr.trim().split('\n').slice(-3).join(' ')}`);
  return { seconds, stdout: r.stdout };
}

function cliArgs(file: string, w: Workload, epochs: number): string[] {
  const hidden = w.dims.slice(1, -1).join(',');
  return [join(root, 'dist', 'cli.js'), 'train', file, '--hidden', hidden, '--val', '0', '--no-standardize', '--lr', String(LEARNING_RATE), '--epochs', String(epochs), '--seed', '1'];
}

function cliCommand(file: string, w: Workload, dtype: 'float64' | 'float32'): Command {
  return {
    name: `backprop-map train (${dtype})`,
    run: (epochs) => {
      const argv = [...cliArgs(file, w, epochs), '--dtype', dtype, '--json'];
      const r = timed(process.execPath, argv, process.env);
      const done = JSON.parse(r.stdout.trim().split('\n').pop()!) as { done: boolean; reason: string; epochs: number; train: { cost: number }; engine: EngineReport };
      if (!done.done || done.reason !== 'completed' || done.epochs !== epochs) throw new Error(`backprop-map train did not complete ${epochs} epochs: ${JSON.stringify(done).slice(0, 300)}`);
      return { seconds: r.seconds, cost: done.train.cost, engine: done.engine };
    },
  };
}

function numpyCommand(file: string, init: string, threads: string | null): Command {
  const env = numpyEnv();
  if (threads) env.OPENBLAS_NUM_THREADS = threads;
  return {
    name: `numpy script (${threads ? `${threads} thread` : 'default threads'})`,
    run: (epochs) => {
      const r = timed(python, [join(root, 'bench', 'cli_reference.py'), file, init, String(epochs), String(LEARNING_RATE)], env);
      const out = JSON.parse(r.stdout) as { epochs: number; cost: number };
      if (out.epochs !== epochs) throw new Error(`the numpy script ran ${out.epochs} epochs, not ${epochs}`);
      return { seconds: r.seconds, cost: out.cost };
    },
  };
}

const fmt = (x: number, digits = 3): string => x.toFixed(digits);

function main(): void {
  console.log('Backprop Map bench:cli: whole-process runs of `backprop-map train` and a plain numpy script, alternating.');
  console.log(`  ${rounds} rounds; load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`  numpy: ${python}, OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset for it; CLI: node ${process.version}`);
  const dir = mkdtempSync(join(tmpdir(), 'backprop-map-bench-cli-'));
  try {
    for (const w of workloads().filter((x) => only === null || only.includes(x.id))) {
      const epochs = EPOCHS[w.id]!;
      const file = join(dir, `${w.id}.csv`);
      writeCsv(w, file);
      // The CLI's initial parameters (same seed) for the numpy script: the same work, the same end.
      const init = join(dir, `${w.id}-init.json`);
      timed(process.execPath, [...cliArgs(file, w, 0), '--save', init, '--json'], process.env);
      const commands = [cliCommand(file, w, 'float64'), cliCommand(file, w, 'float32'), numpyCommand(file, init, null), numpyCommand(file, init, '1')];
      const full: number[][] = commands.map(() => []);
      const empty: number[][] = commands.map(() => []);
      const costs: number[] = [];
      const engines: (EngineReport | undefined)[] = [];
      for (let r = 0; r < rounds; r++) {
        commands.forEach((c, i) => {
          const run = c.run(epochs);
          full[i]!.push(run.seconds);
          costs[i] = run.cost;
          engines[i] = run.engine;
          empty[i]!.push(c.run(0).seconds);
        });
      }
      console.log(`\n${w.id} ${w.title}, ${epochs} epochs, lr ${LEARNING_RATE}`);
      console.log('  command                          wall s (median)  at 0 epochs  ms/epoch   final cost   engine');
      const perEpoch = commands.map((_, i) => ((median(full[i]!) - median(empty[i]!)) * 1e3) / epochs);
      const engineText = (e: EngineReport | undefined): string => (e === undefined ? '' : e.engine === 'readable' ? 'readable core' : `${e.kernels}${e.fused ? ' (fused)' : ''}, ${e.threads} thread${e.threads > 1 ? 's' : ''}`);
      commands.forEach((c, i) => {
        console.log(`  ${c.name.padEnd(32)} ${fmt(median(full[i]!)).padStart(15)}  ${fmt(median(empty[i]!)).padStart(11)}  ${fmt(perEpoch[i]!, 4).padStart(8)}   ${costs[i]!.toPrecision(6).padEnd(10)}   ${engineText(engines[i])}`);
      });
      const agreement = Math.abs(costs[0]! - costs[2]!) / Math.abs(costs[2]!);
      console.log(`  final cost, CLI float64 against numpy: relative difference ${agreement.toExponential(1)}`);
      if (!(agreement < 1e-6)) throw new Error(`${w.id}: the CLI and the numpy script end at different costs (${costs[0]} and ${costs[2]}): they did not do the same work`);
      const numpyBest = median(full[2]!) <= median(full[3]!) ? 2 : 3;
      const np = median(full[numpyBest]!);
      console.log(`  numpy ${commands[numpyBest]!.name.replace('numpy script ', '')} / CLI, whole process: float64 ${fmt(np / median(full[0]!), 2)}, float32 ${fmt(np / median(full[1]!), 2)}`);
      console.log(`  numpy / CLI, per training epoch:  float64 ${fmt(perEpoch[numpyBest]! / perEpoch[0]!, 2)}, float32 ${fmt(perEpoch[numpyBest]! / perEpoch[1]!, 2)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nload average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

main();
