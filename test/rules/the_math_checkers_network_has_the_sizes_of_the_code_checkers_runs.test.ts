// One home for the sizes of the random network: the code checker's runs (the Python harness) choose
// m, the two-layer and the L-layer sizes; the math checker evaluates the map's equations on a
// network of the same sizes, so that a shape in its findings reads as in the code's. The Python
// side is asked through the function a check calls, in a subprocess.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkMarkdown } from '../../src/derivations/check';
import { EXAMPLES, layerDims, MAX_LAYERS } from '../../src/derivations/network';
import { repoRoot, testPython } from '../checker/checkerTestSupport';

/** Where the Python side keeps the sizes: the one place to adapt should they move. */
const PYTHON_SIDE = { module: 'bpm_numerical', m: 'M', choose: 'choose_layer_dims' };

/** The deepest backward asked about: beyond what either side builds. */
const DEEPEST = 40;

function pythonSide(): { m: number; twoLayer: number[]; byDepth: Record<string, number[]> } {
  const script = [
    'import ast, json, sys',
    `sys.path.insert(0, ${JSON.stringify(join(repoRoot(), 'src', 'checker', 'python'))})`,
    `from ${PYTHON_SIDE.module} import ${PYTHON_SIDE.m} as m, ${PYTHON_SIDE.choose} as choose`,
    'class Run:',
    '    """What a check carries, as far as choosing the sizes reads and writes it."""',
    'def dims(convention, deepest):',
    '    run = Run()',
    '    run.convention, run.result = convention, {}',
    "    backward = ast.parse(f'def backward():\\n    dW{deepest} = 0\\n').body[0]",
    '    return choose(run, backward)',
    `print(json.dumps({"m": m, "twoLayer": dims("two-layer", 2), "byDepth": {d: dims("L-layer", d) for d in range(3, ${DEEPEST + 1})}}))`,
  ].join('\n');
  return JSON.parse(execFileSync(testPython(), ['-c', script], { encoding: 'utf8' })) as { m: number; twoLayer: number[]; byDepth: Record<string, number[]> };
}

test("the math checker's network has m, the two-layer sizes and every L-layer network's sizes of the code checker's runs", () => {
  const py = pythonSide();
  assert.equal(EXAMPLES, py.m);
  assert.deepEqual(layerDims(2), py.twoLayer);
  // As deep as the code checker builds a network for a backward written out layer by layer.
  const deepest = Math.max(...Object.entries(py.byDepth).filter(([d, dims]) => dims.length - 1 === Number(d)).map(([d]) => Number(d)));
  assert.equal(MAX_LAYERS, deepest);
  for (let L = 3; L <= MAX_LAYERS; L++) assert.deepEqual(layerDims(L), py.byDepth[L], `L = ${L}`);
});

test('a finding names the sizes of the code checker: the test point of a five-layer equation', () => {
  const py = pythonSide().byDepth[5]!;
  const r = checkMarkdown('$$dZ^{[5]} = A^{[5]} - Y$$');
  assert.equal(r.equations[0]!.verdict, 'ok');
  const hidden = py.slice(1, -1).map((n, i) => `n_{h${i + 1}} = ${n}`).join(', ');
  assert.equal(r.equations[0]!.testPoint, `n_x = ${py[0]}, ${hidden}, m = ${EXAMPLES}`);
});
