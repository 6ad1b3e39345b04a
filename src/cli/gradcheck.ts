import { DEFAULT_HYPER } from '../core/hyper';
import { gradientCheck } from '../core/gradcheck';
import { gatherColumns } from '../core/matrix';
import { initParameters, layerDimsOf, layerDimsOfParameters } from '../core/network';
import { createRng, shuffledIndices } from '../core/rng';
import { GRADCHECK_THRESHOLDS, gradcheckVerdict } from '../core/tolerance';
import { prepareData } from '../data/prepare';
import { loadSource } from '../data/source';
import { type CommandSpec, type ParsedArgs, hiddenOption, intOption, numberOption } from './args';
import { type CliContext, type Command, EXIT } from './command';
import { table } from './format';
import { showLoading } from './progress';
import { DATA_ARGUMENT, IGNORE_OPTION, LABEL_OPTION, dataSourceOf, hyperOption } from './train';

const DEFAULT_EXAMPLES = 500;

export const GRADCHECK_SPEC: CommandSpec = {
  name: 'gradcheck',
  summary:
    'Checks the backward run against the numerical gradient (central differences), as in the notes\' "Der Gradient": prints ‖dθ − dθ_approx‖ / (‖dθ‖ + ‖dθ_approx‖) per parameter and overall, at the initial parameters.',
  positionals: [DATA_ARGUMENT],
  options: {
    label: LABEL_OPTION,
    ignore: IGNORE_OPTION,
    hidden: { value: 'N[,N…]', help: `hidden layer sizes (default ${DEFAULT_HYPER.hidden.join(',')})` },
    seed: { value: 'S', help: `seed of the initial weights and of the examples drawn (default ${DEFAULT_HYPER.seed})` },
    examples: { value: 'N', help: `check on at most N examples drawn at random (default ${DEFAULT_EXAMPLES}): every parameter costs two forward runs` },
    epsilon: { value: 'E', help: 'the step ε of the central differences (default 1e-7)' },
    'no-standardize': { help: 'use the raw feature values' },
    json: { help: 'print the result as one JSON object' },
  },
  notes: `Exit codes: 0 the overall relative difference is at most ${GRADCHECK_THRESHOLDS.exact}; 1 it is above; 2 bad input or usage.`,
};

async function runGradcheck(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const source = dataSourceOf(args);
  const hidden = hiddenOption(args, DEFAULT_HYPER.hidden);
  const seed = hyperOption(args, 'seed', 'seed', DEFAULT_HYPER.seed);
  const maxExamples = intOption(args, 'examples', DEFAULT_EXAMPLES, 1);
  const epsilon = numberOption(args, 'epsilon', 1e-7, (x) => x > 0 && x < 1, 'a small positive number such as 1e-7');
  const json = args.flags.has('json');

  const loaded = !json && ctx.stderr.isTTY === true && source.kind === 'file' ? showLoading(ctx.stderr, source.path) : () => undefined;
  const dataset = await loadSource(source).finally(loaded);
  const { X: allX, Y: allY } = prepareData(dataset, { validationSplit: 0, seed, standardize: !args.flags.has('no-standardize') }).train;
  const m = allX.cols;
  let X = allX;
  let Y = allY;
  if (m > maxExamples) {
    // Stream 0xfffffffe: independent of the initial weights (0) and of the validation split (last stream).
    const picked = shuffledIndices(m, createRng(seed, 0xfffffffe)).slice(0, maxExamples).sort();
    X = gatherColumns(allX, picked, 0, maxExamples);
    Y = gatherColumns(allY, picked, 0, maxExamples);
  }
  const params = initParameters(layerDimsOf(X.rows, hidden), seed);
  const result = gradientCheck(params, X, Y, epsilon);
  const passed = gradcheckVerdict(result.relDifference) === 'ok';
  const layerDims = layerDimsOfParameters(params);

  if (json) {
    const { perParameter, relDifference } = result;
    ctx.stdout.write(
      `${JSON.stringify({ passed, threshold: GRADCHECK_THRESHOLDS.exact, relDifference, epsilon, perParameter, dataset: dataset.name, examples: X.cols, layerDims })}\n`,
    );
  } else {
    const shapes = new Map<string, string>();
    params.W.forEach((w, i) => {
      shapes.set(`W${i + 1}`, `(${w.rows} × ${w.cols})`);
      shapes.set(`b${i + 1}`, `(${w.rows} × 1)`);
    });
    const rows = [['parameter', 'shape', 'relative difference']];
    for (const p of result.perParameter) rows.push([p.name, shapes.get(p.name) ?? '', p.relDifference.toExponential(2)]);
    rows.push([`θ (all ${result.theta.length})`, '', result.relDifference.toExponential(2)]);
    const sample = X.cols < m ? `${X.cols} of ${m} examples, drawn at random` : `${m} examples`;
    ctx.stdout.write(
      `Gradient check on ${dataset.name} (${sample}), network [${layerDims.join(', ')}], ε = ${epsilon}\n\n${table(rows)}\n\n` +
        (passed
          ? `Passed: the overall relative difference is at most ${GRADCHECK_THRESHOLDS.exact}.\n`
          : `Failed: the overall relative difference ${result.relDifference.toExponential(2)} is above ${GRADCHECK_THRESHOLDS.exact}.\n`),
    );
  }
  return passed ? EXIT.ok : EXIT.checkFailed;
}

export const gradcheckCommand: Command = { spec: GRADCHECK_SPEC, run: runGradcheck };
