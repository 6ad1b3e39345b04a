// The fast engine's kernels are chosen once per process by WebAssembly.validate of a tiny relaxed
// SIMD module: relaxed SIMD (fused multiply-add) where it validates, natively or after setting
// Node 20's V8 flag, else the plain kernels. Both kinds run on this machine; the command line's
// `train --json` says which ran, and BACKPROP_MAP_KERNELS=simd keeps the plain ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FastEngine } from '../../src/core/fast/engine';
import { RELAXED_PROBE, chooseKernels, kernelChoice, runtimeKernels } from '../../src/core/fast/kernelChoice';
import { cloneParameters, initParameters } from '../../src/core/network';
import { cli, jsonLines } from '../cli/cliRun';
import { syntheticData } from '../core/synthetic';

// Before anything in this process has compiled a kernel.
const validatedNatively = WebAssembly.validate(RELAXED_PROBE);

test('the choice: relaxed SIMD, with the V8 flag set only where it did not validate without it', () => {
  const choice = runtimeKernels();
  assert.equal(choice.kernels, 'relaxed-simd');
  assert.equal(choice.flagSet, !validatedNatively, `validated natively: ${validatedNatively}`);
  assert.equal(WebAssembly.validate(RELAXED_PROBE), true);
  assert.equal(kernelChoice(), choice, 'chosen once: the same answer every time');
  assert.equal(kernelChoice(), kernelChoice());
});

test('the fallback: a module the runtime does not validate, even with the flag, leaves the plain kernels', () => {
  // The probe with its relaxed_madd opcode (0xfd 0x87 0x02) turned into one that does not exist.
  const bytes = Uint8Array.from(RELAXED_PROBE);
  const at = bytes.findIndex((b, i) => b === 0xfd && bytes[i + 1] === 0x87 && bytes[i + 2] === 0x02);
  assert.ok(at > 0);
  bytes[at + 1] = 0xff;
  bytes[at + 2] = 0x0f;
  const choice = chooseKernels(bytes);
  assert.equal(choice.kernels, 'simd');
  assert.equal(choice.fused, false);
  assert.match(choice.reason ?? '', /does not validate relaxed SIMD/);
});

test('both kinds of kernels train here; where the multiply-add is fused their results differ in the last bits only', () => {
  const { X, Y } = syntheticData(30, 300, 2);
  const p = initParameters([30, 16, 1], 2);
  const run = (kernels: 'simd' | 'relaxed-simd'): number[] => {
    const q = cloneParameters(p);
    const engine = new FastEngine(q, X, Y, { kernels, threads: 1 });
    assert.equal(engine.kernels, kernels);
    for (let e = 0; e < 20; e++) engine.epoch(0.1);
    engine.store(q);
    return [...q.W, ...q.b].flatMap((x) => Array.from(x.data));
  };
  const plain = run('simd'), fused = run('relaxed-simd');
  plain.forEach((v, i) => assert.ok(Math.abs(v - fused[i]!) <= 1e-12 * Math.abs(v), `parameter ${i}: ${v} vs ${fused[i]}`));
  if (runtimeKernels().fused) assert.notDeepEqual(plain, fused);
  assert.equal(new FastEngine(cloneParameters(p), X, Y, { threads: 1 }).kernels, 'relaxed-simd', 'by default the runtime\'s choice');
});

test('train --json says which kernels and how many threads ran; BACKPROP_MAP_KERNELS=simd keeps the plain kernels', () => {
  const args = ['train', 'sample:flower', '--epochs', '5', '--json'];
  const engineOf = (env?: NodeJS.ProcessEnv): unknown => {
    const r = cli(args, env ? { env } : {});
    assert.equal(r.code, 0, r.stderr);
    return jsonLines(r.stdout).at(-1)!['engine'];
  };
  const fused = runtimeKernels().fused;
  assert.deepEqual(engineOf(), { engine: 'fast', kernels: 'relaxed-simd', fused, threads: 1 });
  assert.deepEqual(engineOf({ BACKPROP_MAP_KERNELS: 'simd' }), { engine: 'fast', kernels: 'simd', fused: false, threads: 1 });
  assert.deepEqual(jsonLines(cli([...args.slice(0, 2), '--epochs', '0', '--json']).stdout).at(-1)!['engine'], { engine: 'readable', kernels: null, fused: false, threads: 1 });
});
