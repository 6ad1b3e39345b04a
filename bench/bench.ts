/**
 * `npm run bench`: time per epoch of the core (readable path, fast engine in float64 and float32)
 * beside numpy (bench/reference.py) on the workloads W1–W4, from the same data and initial
 * parameters. Before any figure is printed, the costs of the first epochs must agree with numpy's
 * (float64: to 1e-9); otherwise the benchmark stops with exit code 1.
 *
 * The fast engine runs the kernels it chooses (relaxed SIMD's fused multiply-add where the runtime
 * has it), beside it the plain SIMD kernels in float64. Then the fast engine's GFLOP/s on W3 and W4
 * beside the machine's limits (measured: clock and peak multiply-add rate), where two threads
 * start to pay, and the cost growth: time per epoch on W3's network for m = 10³ … 10⁶, beside numpy.
 *
 * Options: --peers adds TensorFlow.js (cpu, wasm) and brain.js, and the CSV loaders papaparse and
 * csv-parse (installed by `npm run bench:peers` into bench/.peers/); --only W1,W3 picks workloads
 * (add `threads` and `growth` for those tables, which run only with all workloads or when named).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { kernelChoice } from '../src/core/fast/kernelChoice';
import { type CoreVariant, coreCosts, coreTimer } from './lib/core';
import { csvSection } from './lib/csv';
import { measureLimits } from './lib/limits';
import { PEERS, activatePeer, peerSession, tfjsWasmFeatures } from './lib/peers';
import { type NumpyResult, python, runNumpy } from './lib/reference';
import { ROUNDS, measureThreads, threadTable } from './lib/threads';
import { type Timing, medianEpochMs } from './lib/timing';
import { type Workload, flopsPerEpoch, growthWorkload, workloads } from './lib/workloads';

// Run from the package folder, as `npm run bench` does: bench/reference.py and bench/.peers are there.
const root = process.cwd();
const args = process.argv.slice(2);
const withPeers = args.includes('--peers');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',') : null;

const LEARNING_RATE = 0.05;
const CHECK_EPOCHS = 10;
const F64_TOLERANCE = 1e-9;
/** float32 against numpy's float64: the relative difference of the cost after CHECK_EPOCHS epochs. */
const F32_TOLERANCE = 1e-4;
/** TensorFlow.js (float32, its own summation order): the same cost to this relative difference. */
const PEER_TOLERANCE = 1e-3;
const PEER_CHECK_EPOCHS = 3;

/** Seconds per measurement and the least number of samples: fewer for the long epochs of W4. */
const budget = (w: Workload): { seconds: number; minSamples: number } => (w.X.cols > 10_000 ? { seconds: 4, minSamples: 5 } : { seconds: 1.5, minSamples: 15 });

const GROWTH_M = [1_000, 10_000, 100_000, 1_000_000];

const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';

/** The clock /proc/cpuinfo reports (often the nominal one; a turbo clock is higher). */
const nominalGhz = (): number => Number(/^cpu MHz\s*:\s*([\d.]+)/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.speed ?? NaN) / 1000;

/** Which kernels the fast engine runs, as the header says it. */
function kernelsLine(): string {
  const c = kernelChoice();
  if (c.kernels === 'simd') return `fast engine kernels: plain SIMD (multiply, then add): ${c.reason ?? ''}`;
  return `fast engine kernels: relaxed SIMD, ${c.fused ? 'fused multiply-add (one rounding)' : 'relaxed_madd not fused by this runtime'}${c.flagSet ? ', enabled by the V8 flag --experimental-wasm-relaxed-simd' : ', validated without a flag'}; "plain" columns: SIMD multiply then add`;
}

function machine(): string[] {
  const cpu = (/^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown').trim();
  const flags = /^flags\s*:(.*)$/m.exec(cpuinfo)?.[1] ?? '';
  const simd = ['avx512f', 'avx2', 'fma'].filter((f) => flags.split(/\s+/).includes(f)).join(', ');
  const family = /^cpu family\s*:\s*(\d+)/m.exec(cpuinfo)?.[1], model = /^model\s*:\s*(\d+)/m.exec(cpuinfo)?.[1];
  const kind = family !== undefined ? `, family ${family} model ${model ?? '?'}` : '';
  return [`cores (nproc): ${cpus().length}`, `CPU: ${cpu}${kind}${simd ? ` (${simd})` : ''}`, `node ${process.version}`, kernelsLine(), `load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`];
}

const fmtMs = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms >= 0.01 ? ms.toFixed(4) : ms.toFixed(5));
const fmtRatio = (r: number): string => (r >= 10 ? r.toFixed(0) : r.toFixed(2));
const gflops = (w: Workload, t: Timing): string => (flopsPerEpoch(w) / (t.msPerEpoch * 1e6)).toFixed(2);

function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Infinity;
  return a.reduce((s, x, i) => Math.max(s, Math.abs(x - b[i]!)), 0);
}

/**
 * The median time per epoch of a core variant on a workload, the threads it used and, on two, the
 * share of its batches that the second thread ran.
 */
function timeCore(w: Workload, v: CoreVariant): { timing: Timing; threads: number; workerShare: number | null } {
  const timer = coreTimer(w, v, LEARNING_RATE);
  try {
    const timing = medianEpochMs(timer.run, budget(w).seconds, budget(w).minSamples);
    return { timing, threads: timer.threads, workerShare: timer.workerShare() };
  } finally {
    timer.dispose();
  }
}

/**
 * Times the variants one after the other. `threads`: the most threads any used; `threadsText`
 * says it for the table, "2 (93%)" when the second thread ran 93% of the fast float64 engine's
 * batches.
 */
function timeAll<V extends CoreVariant>(w: Workload, variants: readonly V[]): { t: Record<V, Timing>; threads: number; threadsText: string } {
  const t = {} as Record<V, Timing>;
  let threads = 1, share: number | null = null;
  for (const v of variants) {
    const r = timeCore(w, v);
    t[v] = r.timing;
    threads = Math.max(threads, r.threads);
    if (v === 'fast-float64') share = r.workerShare;
  }
  return { t, threads, threadsText: share === null ? String(threads) : `${threads} (${(100 * share).toFixed(0)}%)` };
}

/**
 * Time per epoch on W3's network for m = 10³ … 10⁶: an epoch's work is linear in m, and so
 * must its time be (per example it should stay flat, also once the data outgrow the caches).
 * numpy beside it, measured the same way, from the same data and parameters.
 */
function growthTable(): void {
  console.log(`\nCost growth, W3's network 30→16→1 (fast engine, default threads; numpy f64 the faster of its thread counts):`);
  const head = ['m', 'fast threads', 'fast f64 ms', 'ns / example', 'GFLOP/s', 'fast f32 ms', 'ns / example', 'numpy f64 ms', 'ns / example', 'numpy f64 / fast f64'];
  console.log(`\n| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
  const script = join(root, 'bench', 'reference.py');
  for (const m of GROWTH_M) {
    process.stderr.write(`growth m = ${m}: …\n`);
    const w = growthWorkload(m);
    const np = runNumpy(w, { learningRate: LEARNING_RATE, checkEpochs: CHECK_EPOCHS, ...budget(w) }, script);
    const d = maxAbsDiff(coreCosts(w, 'fast-float64', LEARNING_RATE, CHECK_EPOCHS), np.float64.costs);
    if (!(d <= F64_TOLERANCE)) {
      console.error(`m = ${m}: the fast engine's costs differ from numpy's by ${d.toExponential(2)} (more than ${F64_TOLERANCE}).`);
      process.exit(1);
    }
    const { t, threadsText } = timeAll(w, ['fast-float64', 'fast-float32'] as const);
    const f64 = t['fast-float64'], f32 = t['fast-float32'];
    const perExample = (ms: number): string => ((ms * 1e6) / m).toFixed(1);
    console.log(`| ${[m.toLocaleString('en'), threadsText, fmtMs(f64.msPerEpoch), perExample(f64.msPerEpoch), gflops(w, f64), fmtMs(f32.msPerEpoch), perExample(f32.msPerEpoch),
      fmtMs(np.float64.msPerEpoch), perExample(np.float64.msPerEpoch), fmtRatio(np.float64.msPerEpoch / f64.msPerEpoch)].join(' | ')} |`);
  }
}

async function main(): Promise<void> {
  const ws = workloads().filter((w) => only === null || only.includes(w.id));
  const script = join(root, 'bench', 'reference.py');
  if (!existsSync(script)) throw new Error(`${script} not found: run the benchmark from the package folder (npm run bench).`);
  console.log('Backprop Map benchmark: one epoch = forward + backward + update over all m examples (full batch).');
  for (const line of machine()) console.log(`  ${line}`);

  // 1. Agreement before figures.
  const numpy = new Map<string, NumpyResult>();
  for (const w of ws) {
    process.stderr.write(`${w.id}: numpy reference …\n`);
    const np = runNumpy(w, { learningRate: LEARNING_RATE, checkEpochs: CHECK_EPOCHS, ...budget(w) }, script);
    numpy.set(w.id, np);
    const variants: CoreVariant[] = w.X.cols > 10_000 ? ['fast-float64'] : ['readable', 'fast-float64'];
    for (const v of variants) {
      const costs = coreCosts(w, v, LEARNING_RATE, CHECK_EPOCHS);
      const d = maxAbsDiff(costs, np.float64.costs);
      if (!(d <= F64_TOLERANCE)) {
        console.error(`${w.id}: the ${v} core's costs differ from numpy's by ${d.toExponential(2)} (more than ${F64_TOLERANCE}) in the first ${CHECK_EPOCHS} epochs:\n  core  ${costs.join(', ')}\n  numpy ${np.float64.costs.join(', ')}\nNo figures are printed for an engine that computes something else.`);
        process.exit(1);
      }
    }
    const c32 = coreCosts(w, 'fast-float32', LEARNING_RATE, CHECK_EPOCHS);
    const rel32 = Math.abs(c32[CHECK_EPOCHS - 1]! - np.float64.costs[CHECK_EPOCHS - 1]!) / np.float64.costs[CHECK_EPOCHS - 1]!;
    if (!(rel32 <= F32_TOLERANCE)) {
      console.error(`${w.id}: the float32 core's cost after ${CHECK_EPOCHS} epochs is ${c32[CHECK_EPOCHS - 1]}, numpy float64's ${np.float64.costs[CHECK_EPOCHS - 1]}: relative difference ${rel32.toExponential(2)} > ${F32_TOLERANCE}.`);
      process.exit(1);
    }
    process.stderr.write(`${w.id}: costs agree (float64 to ${F64_TOLERANCE}, float32 to ${rel32.toExponential(1)} relative)\n`);
  }
  const first = numpy.values().next().value;
  if (first) console.log(`  numpy ${first.numpy} (${python}), OpenBLAS kernel: ${first.blasCore ?? 'not OpenBLAS'}, ${first.blasThreads ?? '?'} threads by default; OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset for numpy`);
  console.log(`Costs after ${CHECK_EPOCHS} epochs agree with numpy on every workload (float64 to ${F64_TOLERANCE}, float32 to ${F32_TOLERANCE} relative).`);

  // 2. Figures: the core beside numpy, then (--peers) beside the other JavaScript engines.
  const head = ['workload', 'numpy f64 ms', 'numpy f32 ms', 'readable f64 ms', 'fast threads', 'fast f64 plain ms', 'fast f64 ms', 'GFLOP/s', 'numpy f64 / fast f64', 'fast f32 ms', 'GFLOP/s', 'numpy f32 / fast f32'];
  console.log(`\n| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
  const fast = new Map<string, { f64: Timing; f32: Timing }>();
  const threadsUsed = new Map<string, number>();
  for (const w of ws) {
    process.stderr.write(`${w.id}: timing …\n`);
    const np = numpy.get(w.id)!;
    const { t, threads, threadsText } = timeAll(w, ['readable', 'fast-float64-plain', 'fast-float64', 'fast-float32'] as const);
    const readable = t.readable, plain = t['fast-float64-plain'], f64 = t['fast-float64'], f32 = t['fast-float32'];
    fast.set(w.id, { f64, f32 });
    threadsUsed.set(w.id, threads);
    const row = [
      `${w.id} ${w.title}`,
      fmtMs(np.float64.msPerEpoch),
      fmtMs(np.float32.msPerEpoch),
      fmtMs(readable.msPerEpoch),
      threadsText,
      fmtMs(plain.msPerEpoch),
      fmtMs(f64.msPerEpoch),
      gflops(w, f64),
      fmtRatio(np.float64.msPerEpoch / f64.msPerEpoch),
      fmtMs(f32.msPerEpoch),
      gflops(w, f32),
      fmtRatio(np.float32.msPerEpoch / f32.msPerEpoch),
    ];
    console.log(`| ${row.join(' | ')} |`);
  }
  console.log(`\nms = median milliseconds per epoch after warm-up (an epoch of ≥ 1 s: median of 2+ samples); GFLOP/s = 2·Σ n_in·n_out·m·3 / time; ratios > 1 mean the core is faster; ` +
    `fast threads "2 (x%)": the second thread ran x% of the fast float64 engine's batches (the main thread the rest, see "one thread or two").`);
  console.log(`numpy's figure is the faster of OpenBLAS's default thread count and one thread, per workload and type (ms per epoch by threads):`);
  for (const w of ws) {
    const np = numpy.get(w.id)!;
    const by = (r: NumpyResult['float64']): string => Object.entries(r.byThreads).map(([t, ms]) => `${t}: ${fmtMs(ms)}`).join(', ');
    console.log(`  ${w.id}: f64 ${by(np.float64)}; f32 ${by(np.float32)}`);
  }

  process.stderr.write('the machine\'s limits …\n');
  const lim = measureLimits();
  const fused = kernelChoice().kernels === 'relaxed-simd';
  const limit64 = fused ? lim.fused64 : lim.plain64, limit32 = fused ? lim.fused32 : lim.plain32;
  console.log(`\nThe machine's limits, measured (bench/peak.wat, best of 40 runs): clock ${lim.ghz.toFixed(2)} GHz (/proc/cpuinfo says ${nominalGhz().toFixed(2)}); ` +
    `128-bit WebAssembly SIMD per core: fused multiply-add (relaxed SIMD) ${lim.fused64.toFixed(1)} GFLOP/s float64, ${lim.fused32.toFixed(1)} float32; ` +
    `multiply then add ${lim.plain64.toFixed(1)} float64, ${lim.plain32.toFixed(1)} float32 (${(lim.fused64 / lim.ghz).toFixed(1)} and ${(lim.plain64 / lim.ghz).toFixed(1)} float64 flops per cycle).`);
  for (const w of ws.filter((x) => x.id === 'W3' || x.id === 'W4')) {
    const f = fast.get(w.id)!, threads = threadsUsed.get(w.id)!;
    const share = (t: Timing, limit: number): string => `${gflops(w, t)} GFLOP/s = ${((100 * flopsPerEpoch(w)) / (t.msPerEpoch * 1e6) / (limit * threads)).toFixed(0)}%`;
    console.log(`  ${w.id} on ${threads} thread${threads > 1 ? 's' : ''}: float64 ${share(f.f64, limit64)} of the FMA limit (${(limit64 * threads).toFixed(1)}), ` +
      `float32 ${share(f.f32, limit32)} of its limit (${(limit32 * threads).toFixed(1)}); numpy float64 ${gflops(w, { msPerEpoch: numpy.get(w.id)!.float64.msPerEpoch, samples: 0, epochsPerSample: 0 })} GFLOP/s`);
  }
  if (only === null || only.includes('threads')) {
    console.log(`\nOne thread or two, W3's network 30→16→1 over m (the batch in two lanes either way; ${ROUNDS} alternating rounds, medians):\n`);
    for (const line of threadTable(measureThreads(LEARNING_RATE, (s) => process.stderr.write(`${s}\n`)))) console.log(line);
  }
  if (only === null || only.includes('growth')) growthTable();

  if (withPeers) {
    const peerHead = ['workload', ...PEERS.flatMap((p) => [`${p} ms`, `/ fast f64`, `/ fast f32`])];
    console.log(`\n| ${peerHead.join(' | ')} |\n|${peerHead.map(() => '---').join('|')}|`);
    for (const w of ws) {
      const np = numpy.get(w.id)!, core = fast.get(w.id)!;
      const row = [w.id];
      for (const p of PEERS) {
        process.stderr.write(`${w.id}: ${p} …\n`);
        try {
          await activatePeer(p);
          if (p !== 'brain.js') {
            // The same computation as numpy's: its cost in epoch PEER_CHECK_EPOCHS (after that many
            // − 1 updates), in float32. Fewer epochs than the core's check: tfjs-cpu is slow on W4.
            const c = peerSession(p, w, LEARNING_RATE)(PEER_CHECK_EPOCHS)[0]!, ref = np.float64.costs[PEER_CHECK_EPOCHS - 1]!;
            if (!(Math.abs(c - ref) / ref <= PEER_TOLERANCE)) throw new Error(`its cost in epoch ${PEER_CHECK_EPOCHS} is ${c}, numpy's ${ref}: not the same computation, not timed`);
          }
          const t = medianEpochMs(peerSession(p, w, LEARNING_RATE), budget(w).seconds, budget(w).minSamples);
          row.push(fmtMs(t.msPerEpoch), fmtRatio(t.msPerEpoch / core.f64.msPerEpoch), fmtRatio(t.msPerEpoch / core.f32.msPerEpoch));
        } catch (e) {
          row.push('failed', '–', '–');
          process.stderr.write(`${w.id} ${p}: ${(e as Error).message}\n`);
        }
      }
      console.log(`| ${row.join(' | ')} |`);
    }
    console.log(`\nPeers: TensorFlow.js 4.22 (float32; wasm backend: ${tfjsWasmFeatures()}), brain.js 1.6 (float32, one update per example: its time per pass only); "/ fast …" = their time over the fast engine's (> 1: the core is faster).`);
  }
  console.log(`Load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

  // 3. What else a user waits for.
  console.log('');
  for (const line of csvSection(withPeers)) console.log(line);
  process.stderr.write('Derivation checker latency …\n');
  const r = spawnSync(process.execPath, [join(root, 'bench', 'checker-latency.mjs'), '--runs', '10'], { encoding: 'utf8', cwd: root });
  console.log(`Derivation checker latency, cold and warm (bench/checker-latency.mjs):\n${r.status === 0 ? r.stdout.trim() : `failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`}`);
  console.log('The panel\'s first render: npm run bench:panel; whole-process CLI runs against a numpy script: npm run bench:cli.');
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
