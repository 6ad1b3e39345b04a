// The fused kernels compute the output layer in WebAssembly (kernels.wat, "output"), with their own
// exponential and log1p: σ(z), the loss max(z, 0) − z·y + log1p(e^−|z|) and dZ = σ(z) − y must
// be those of network.ts's expressions (Math.exp, Math.log1p) to a few units in the last place,
// over the whole range of z, and NaN and ±∞ must go through as they do there.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kernelModule } from '../../src/core/fast/engine';

type Output = (Z: number, Y: number, dZ: number, count: number, T: number, res: number) => void;

function outputKernel(dtype: 'float64' | 'float32'): { output: Output; mem: Float64Array | Float32Array; f64: Float64Array } {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const { output } = new WebAssembly.Instance(kernelModule(dtype, 'relaxed-simd'), { env: { memory } }).exports as unknown as { output: Output };
  return { output, mem: dtype === 'float64' ? new Float64Array(memory.buffer) : new Float32Array(memory.buffer), f64: new Float64Array(memory.buffer) };
}

/** network.ts's expressions, as the readable core and the plain kernels' lane compute them. */
function notes(z: number, y: number): { a: number; loss: number } {
  return { a: 1 / (1 + Math.exp(-z)), loss: Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z))) };
}

const zs: number[] = [0, -0, 1e-300, -1e-300, 1e-17, -1e-17, 2 ** -30, 0.5, -0.5, 0.6931471805599453, 1, -1, 36.7, -36.7, 707.9, -707.9, 708.5, -708.5, 745, -745, 800, -800, 1e308, -1e308];
for (let i = 0; i <= 4000; i++) zs.push(-60 + (120 * i) / 4000 + 1e-7 * Math.sin(i));

const ulps = (a: number, b: number): number => (a === b || (Number.isNaN(a) && Number.isNaN(b)) ? 0 : Math.abs(a - b) / (Math.max(Math.abs(a), Math.abs(b)) * 2 ** -52));

for (const dtype of ['float64', 'float32'] as const) {
  test(`${dtype}: σ(z) − y and the loss of each example within 4 units in the last place (1e−300 absolute near 0)`, () => {
    const { output, mem, f64 } = outputKernel(dtype);
    const E = mem.BYTES_PER_ELEMENT, Z = 0, Y = 8 * E, D = 16 * E, res = 1024;
    for (const z0 of zs) {
      for (const y of [0, 1]) {
        mem.fill(0, 0, 24);
        mem[Z / E] = z0;
        mem[Y / E] = y;
        output(Z, Y, D, 1, 8, res);
        const z = mem[Z / E]!; // as stored (rounded to float32 in float32)
        const want = notes(z, y);
        const dz = mem[D / E]!, wantDz = dtype === 'float64' ? want.a - y : Math.fround(want.a - y);
        const loss = f64[res / 8]! + f64[res / 8 + 1]!;
        const what = `${dtype} z=${z} y=${y}`;
        assert.ok(ulps(dz, wantDz) <= 4 || Math.abs(dz - wantDz) <= 1e-300, `${what}: dZ ${dz}, expected ${wantDz}`);
        assert.ok(ulps(loss, want.loss) <= 4 || Math.abs(loss - want.loss) <= 1e-300, `${what}: loss ${loss}, expected ${want.loss}`);
        assert.equal(f64[res / 8 + 6]! + f64[res / 8 + 7]!, want.a > 0.5 ? 1 : 0, `${what}: classified 1`);
        assert.equal(f64[res / 8 + 4]! + f64[res / 8 + 5]!, want.a > 0.5 === (y === 1) ? 1 : 0, `${what}: correct`);
        for (let j = 1; j < 8; j++) assert.equal(mem[D / E + j], 0, `${what}: the padding columns' dZ`);
      }
    }
  });
}

test('NaN and ±∞ logits give a loss that is not finite where the notes\' is not', () => {
  const { output, mem, f64 } = outputKernel('float64');
  for (const z of [Number.NaN, Infinity, -Infinity]) {
    for (const y of [0, 1]) {
      mem.fill(0, 0, 24);
      mem[0] = z;
      mem[8] = y;
      output(0, 64, 128, 1, 8, 1024);
      const loss = f64[128]! + f64[129]! + f64[130]! + f64[131]!;
      assert.equal(Number.isFinite(loss), Number.isFinite(notes(z, y).loss), `z=${z} y=${y}: ${loss}`);
    }
  }
});

test('a tile of many examples: the summed loss and the counts of the kernel equal the sums over the examples', () => {
  const { output, mem, f64 } = outputKernel('float64');
  const T = 104, count = 101, Z = 0, Y = 8 * T, D = 16 * T, res = 32 * T;
  let loss = 0, correct = 0, positive = 0;
  for (let j = 0; j < T; j++) {
    const z = j < count ? 9 * Math.sin(7 * j) : 5, y = j % 3 === 0 ? 1 : 0;
    mem[j] = z;
    mem[T + j] = y;
    if (j >= count) continue;
    const n = notes(z, y);
    loss += n.loss;
    if (n.a > 0.5) positive++;
    if (n.a > 0.5 === (y === 1)) correct++;
  }
  output(Z, Y, D, count, T, res);
  const r = res / 8;
  const got = f64[r]! + f64[r + 1]! + f64[r + 2]! + f64[r + 3]!;
  assert.ok(Math.abs(got - loss) <= 1e-13 * loss, `${got} vs ${loss}`);
  assert.equal(f64[r + 4]! + f64[r + 5]!, correct);
  assert.equal(f64[r + 6]! + f64[r + 7]!, positive);
  for (let j = count; j < T; j++) assert.equal(mem[2 * T + j], 0);
});
