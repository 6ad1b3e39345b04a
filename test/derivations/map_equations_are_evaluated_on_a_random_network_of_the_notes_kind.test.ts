// The backprop map's equations in the notes' notation, evaluated on a random network whose sizes
// are pairwise different: the left side is the true quantity (dW is ∂J/∂W, dA and dZ are per
// example), so the usual faults show as a factor m, a shape error in the notes' symbols, wrong entries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomNet } from '../../src/derivations/network';
import * as V from '../../src/derivations/values';
import type { Value } from '../../src/derivations/values';
import { check, equation, placed, where } from './mathSupport';

const TWO_LAYER_MAP = [
  '$$Z^{[1]} = W^{[1]} \\cdot X + b^{[1]}$$',
  '$$A^{[1]} = \\text{relu}(Z^{[1]})$$',
  '$$\\sigma\\left(W^{[2]} \\cdot A^{[1]} + b^{[2]}\\right) = A^{[2]} = \\hat{y}$$',
  '$$J = \\frac{1}{m} \\sum_{i=1}^m \\mathcal{L}(a^{(i)}, y^{(i)}) = \\frac{1}{m} \\cdot \\text{np.sum}(\\mathcal{L}(\\hat{Y}, Y))$$',
  '$$dA^{[2]} := \\frac{\\partial L}{\\partial A^{[2]}} = \\frac{A^{[2]} - Y}{A^{[2]} * (1 - A^{[2]})} = -Y/A^{[2]} + (1-Y)/(1-A^{[2]})$$',
  '$$dZ^{[2]} := \\frac{\\partial L}{\\partial Z^{[2]}} = dA^{[2]} * A * (1 - A^{[2]}) = A^{[2]} - Y$$',
  '$$dW^{[2]} = \\frac{\\partial J}{\\partial W^{[2]}} = \\frac{1}{m} \\cdot dZ^{[2]} \\cdot A^{[1]T}$$',
  '$$db^{[2]} = \\frac{1}{m} \\cdot \\text{np.sum}(dZ^{[2]})$$',
  '$$dA^{[1]} = W^{[2]T} \\cdot dZ^{[2]}$$',
  '$$dZ^{[1]} := \\frac{\\partial L}{\\partial Z^{[1]}} = dA^{[1]} * [Z^{[1]} > 0] = dA^{[1]} * g\'(Z^{[1]})$$',
  '$$dW^{[1]} = \\frac{1}{m} \\cdot dZ^{[1]} \\cdot X^T$$',
  '$$db^{[1]} = \\frac{1}{m} \\text{np.sum}(dZ^{[1]}, axis=1, keepdims=True)$$',
  '$$dX = W^{[1]T} \\cdot dZ^{[1]}$$',
  // One example: lowercase, m = 1.
  '$$\\text{relu}\\left(W^{[1]} \\cdot x + b^{[1]}\\right) = a^{[1]}$$',
  '$$\\frac{\\partial \\mathcal{L}}{\\partial z^{[2]}} = A^{[2]} - Y$$',
].join('\n\n');

test("the two-layer map as the notes write it holds on the network, step by step", () => {
  const r = check(TWO_LAYER_MAP);
  assert.deepEqual(placed(r.findings), []);
  assert.equal(r.summary.equations, 15);
  assert.equal(r.summary.checked, 15);
  assert.equal(r.summary.relations.skipped, 0);
  const dW = equation(r, 'dW^{[2]}');
  assert.match(dW.testPoint!, /^n_x = 4, n_h = 3, m = 7$/);
  assert.equal(dW.sides[0]!.shape, '(1 × n_h) = (1 × 3)');
});

test('the usual faults of the two-layer backward pass, each at its = with the evidence', () => {
  const cases: [string, string, RegExp][] = [
    ['$$dW^{[1]} = dZ^{[1]} \\cdot X^T$$', 'missing-1-over-m', /m = 7 times the side before: the 1\/m is missing/],
    ['$$dZ^{[2]} = \\frac{1}{m}(A^{[2]} - Y)$$', 'extra-1-over-m', /1\/m too many \(dA and dZ are per example, of L; dW and db are of J\)/],
    ['$$dZ^{[2]} = Y - A^{[2]}$$', 'sign-flipped', /off by a sign/],
    ['$$dZ^{[1]} = dA^{[1]}$$', 'missing-mask', /The mask \[Z\^\{\[1\]\} > 0\] is missing/],
    ['$$dW^{[1]} = \\frac{1}{m} X \\cdot dZ^{[1]T}$$', 'transposed-product', /\(n_h × n_x\) and \(n_x × n_h\).*the transpose/],
    ['$$db^{[1]} = \\frac{1}{m} \\text{np.sum}(dZ^{[1]}, axis=1)$$', 'missing-keepdims', /without keepdims=True gives \(n_h,\), not \(n_h × 1\)/],
    ['$$db^{[1]} = \\frac{1}{m} \\text{np.sum}(dZ^{[1]}, axis=0, keepdims=True)$$', 'wrong-axis', /\(n_h × 1\) and \(1 × m\).*axis=0 sums over the units/],
    ['$$db^{[1]} = \\frac{1}{m} \\text{np.sum}(dZ^{[1]})$$', 'missing-sum-axis', /np\.sum without axis adds all entries/],
  ];
  for (const [line, code, message] of cases) {
    const r = check(line);
    assert.equal(r.findings.length, 1, `${line}: ${placed(r.findings).join(', ')}`);
    const f = r.findings[0]!;
    assert.equal(f.code, code, line);
    assert.match(f.message, message, line);
    assert.deepEqual([f.line, f.column], [1, where(line, '=').column], line);
  }
});

test('a product whose inner sizes differ is a shape error at its operands, in the notes\' symbols', () => {
  const line = '$$dW^{[1]} = \\frac{1}{m} X^T dZ^{[1]}$$';
  const r = check(line);
  assert.equal(r.findings.length, 1);
  const f = r.findings[0]!;
  assert.equal(f.code, 'map-shape');
  assert.equal(f.message, 'The shapes do not fit: X^T dZ^{[1]}: (m × n_x)·(n_h × m). The inner sizes n_x and n_h differ.');
  assert.deepEqual([f.column, f.endColumn], [where(line, 'X^T').column, where(line, '}$$').column + 1]);
  const w2 = check('$$dA^{[1]} = W^{[2]} \\cdot dZ^{[2]}$$').findings[0]!;
  assert.match(w2.message, /W\^\{\[2\]\} \\cdot dZ\^\{\[2\]\}: \(1 × n_h\)·\(1 × m\)/);
});

test('an L-layer network where l appears: the general formulas hold for every layer, faults are found for one', () => {
  const r = check(
    [
      '$$Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}$$',
      '$$dA^{[l-1]} = W^{[l]T} dZ^{[l]}$$',
      "$$dZ^{[l]} = dA^{[l]} * g'(Z^{[l]})$$",
      '$$dZ^{[l]} = dA^{[l]} * [Z^{[l]} > 0]$$',
      '$$dW^{[l]} = \\frac{1}{m} dZ^{[l]} A^{[l-1]T}$$',
      '$$db^{[l]} = \\frac{1}{m} \\sum_{i=1}^{m} dZ^{[l](i)}$$',
      '$$dZ^{[L]} = A^{[L]} - Y$$',
    ].join('\n\n'),
  );
  assert.deepEqual(placed(r.findings), []);
  assert.equal(r.summary.checked, 7);
  assert.match(equation(r, 'Z^{[l]}').testPoint!, /^n_x = 4, n_\{h1\} = 5, n_\{h2\} = 3, m = 7; l = 1 … 3$/);
  // The ReLU mask is the hidden layers' g′: said so, not reported for the sigmoid output layer.
  assert.match(equation(r, 'dZ^{[l]} = dA^{[l]} * [Z').relations[0]!.note!, /hidden layers l = 1, 2/);
  const faults = check(['$$dW^{[l]} = dZ^{[l]} A^{[l-1]T}$$', '$$dA^{[l]} = W^{[l]T} dZ^{[l]}$$', '$$db^{[l]} = \\frac{1}{m} \\text{np.sum}(dZ^{[l]}, axis=1)$$'].join('\n\n'));
  assert.deepEqual(faults.findings.map((f) => f.code), ['missing-1-over-m', 'map-shape', 'missing-keepdims']);
  assert.match(faults.findings[1]!.message, /\(n_\{h1\} × m\) and \(n_x × m\) \(.*; l = 1\)/);
});

test('a network as deep as the layers the document names: dZ^[2] is a hidden layer\'s when [3] appears', () => {
  const r = check('$$dZ^{[2]} = dA^{[2]} * [Z^{[2]} > 0]$$\n\n$$dZ^{[3]} = A^{[3]} - Y$$\n\n$$dA^{[2]} = W^{[3]T} dZ^{[3]}$$');
  assert.deepEqual(placed(r.findings), []);
  assert.equal(r.summary.checked, 3);
});

test('a layer a formula only holds for is not a fault: dZ^[l] = A^[l] − Y holds for l = L only, and is not reported', () => {
  const r = check('$$dZ^{[l]} = A^{[l]} - Y$$');
  assert.deepEqual(placed(r.findings), []);
  assert.equal(r.equations[0]!.verdict, 'partly');
  assert.match(r.equations[0]!.relations[0]!.note!, /holds only for l = 3/);
});

test('German messages for the map', () => {
  const [f] = check('$$dW^{[1]} = dZ^{[1]} \\cdot X^T$$', 'de').findings;
  assert.match(f!.message, /^Die Seiten unterscheiden sich an einem zufälligen Netz wie im Skript \(n_x = 4, n_h = 3, m = 7\): Eintrag \[\d, \d\]: -?\d+,\d+ ≠ -?\d+,\d+\. Die Seite danach ist das m = 7-fache der Seite davor: das 1\/m fehlt\.$/);
});

test("a document's own hidden activation (the planar course's tanh) is the network's: its dZ^[1] holds, ReLU's mask does not", () => {
  const text = [
    '$$A^{[1]} = \\tanh(Z^{[1]})$$',
    '$$dZ^{[1]} = W^{[2]T} dZ^{[2]} * (1 - (A^{[1]})^2) = dA^{[1]} * g\'(Z^{[1]})$$',
    '$$dZ^{[1]} = dA^{[1]} * [Z^{[1]} > 0]$$',
  ].join('\n\n');
  const r = check(text);
  assert.equal(equation(r, 'A^{[1]}').verdict, 'definition');
  assert.equal(equation(r, 'dZ^{[1]} = W').verdict, 'ok');
  assert.deepEqual(r.findings.map((f) => [f.line, f.code]), [[5, 'map-wrong']]);
  assert.match(r.findings[0]!.message, /n_h = 3 \(tanh\)/);
});

test("the tanh network's gradients are ∂J/∂W and ∂J/∂b themselves: central differences of its own J agree", () => {
  const net = randomNet(2, 7, ['tanh']);
  const J = (W: Value[], b: Value[]): number => {
    let A = net.X;
    for (let l = 1; l <= 2; l++) {
      const Z = V.add(V.dot(W[l - 1]!, A), b[l - 1]!);
      A = V.map(Z, l === 2 ? (z) => 1 / (1 + Math.exp(-z)) : Math.tanh);
    }
    const losses = V.zip('elem', A, net.Y, (a, y) => -y * Math.log(a) - (1 - y) * Math.log(1 - a));
    return V.sum(losses, null, false).data[0]! / net.m;
  };
  const h = 1e-6;
  for (const [which, l] of [['W', 1], ['W', 2], ['b', 1], ['b', 2]] as const) {
    const param = (which === 'W' ? net.W : net.b)[l - 1]!;
    const grad = (which === 'W' ? net.dW : net.db)[l - 1]!;
    for (let i = 0; i < param.data.length; i++) {
      const nudged = (d: number): number => {
        const copy = { shape: param.shape, data: param.data.slice() };
        copy.data[i]! += d;
        const W = net.W.map((w, k) => (which === 'W' && k === l - 1 ? copy : w));
        const b = net.b.map((x, k) => (which === 'b' && k === l - 1 ? copy : x));
        return J(W, b);
      };
      const numerical = (nudged(h) - nudged(-h)) / (2 * h);
      assert.ok(Math.abs(numerical - grad.data[i]!) < 1e-7, `d${which}${l}[${i}]: ${grad.data[i]} vs ${numerical}`);
    }
  }
  assert.ok(Math.abs(J(net.W, net.b) - net.J) < 1e-12);
});

test("a loss or cost of the document's own, in the map's notation, is its definition; a slip of the cross-entropy is a finding", () => {
  const own = check(['$$J = \\frac{1}{2m}\\sum_{i=1}^m (a^{[2](i)} - y^{(i)})^2$$', '$$dA^{[2]} = \\frac{1}{m}(A^{[2]} - Y)$$', '$\\mathcal{L}(A, Y) = \\frac{1}{2}(A - Y)^2$'].join('\n\n'));
  assert.deepEqual(placed(own.findings), []);
  assert.deepEqual(own.equations.map((e) => e.verdict), ['definition', 'skipped', 'definition']);
  assert.equal(own.equations[1]!.relations[0]!.skipped?.kind, 'other-loss');
  const ce = '\\left(y^{(i)}\\log a^{[2](i)} + (1-y^{(i)})\\log(1-a^{[2](i)})\\right)';
  const slips = check([`$$J = \\frac{1}{m}\\sum_{i=1}^m ${ce}$$`, `$$J = -\\sum_{i=1}^m ${ce}$$`, `$$J = -\\frac{1}{m}\\sum_{i=1}^m ${ce}$$`, '$$dZ^{[2]} = 2(A^{[2]} - Y)$$'].join('\n\n'));
  assert.deepEqual(slips.findings.map((f) => [f.line, f.code]), [[1, 'sign-flipped'], [3, 'missing-1-over-m'], [7, 'constant-factor']]);
  assert.equal(slips.equations[2]!.verdict, 'ok');
});
