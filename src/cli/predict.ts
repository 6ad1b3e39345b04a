import type { Matrix } from '../core/matrix';
import { classify, predictProbabilities } from '../core/metrics';
import { ModelError } from '../core/model';
import { parseFeatures } from '../data/csv';
import { csvRecord } from '../data/csvWrite';
import { readTextFile } from '../data/textFile';
import { applyScaling } from '../data/prepare';
import { loadSample } from '../data/samples';
import type { CommandSpec, ParsedArgs } from './args';
import { type CliContext, type Command, EXIT } from './command';
import { readModelFile } from './files';

export const PREDICT_SPEC: CommandSpec = {
  name: 'predict',
  summary:
    'Predicts with a saved model: writes CSV to stdout with one row per example of the data file: probability (P(y = 1)), class (0/1 at threshold 0.5) and label (the class as the original label value).',
  positionals: [
    { name: 'MODEL.json', help: 'a model file written by train --save' },
    {
      name: 'FILE.csv',
      help: 'the examples: with a header, the model\'s feature columns are found by name (other columns are ignored); without one, the feature columns in the model\'s order, optionally followed by a label column. sample:NAME also works',
    },
  ],
  options: {},
  notes: 'The model\'s feature scaling is applied to the file\'s values before predicting.\nExample:\n  backprop-map predict model.json new.csv > predictions.csv',
};

const ROWS_PER_WRITE = 10_000;

async function runPredict(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const [modelPath, dataPath] = args.positionals as [string, string];
  const { model, params } = await readModelFile(modelPath);
  let X: Matrix;
  if (dataPath.startsWith('sample:')) {
    const ds = loadSample(dataPath.slice('sample:'.length));
    if (ds.featureNames.join('\u0000') !== model.featureNames.join('\u0000')) {
      throw new ModelError(
        `${modelPath} was trained on the features ${model.featureNames.join(', ')}, but ${dataPath} has ${ds.featureNames.join(', ')}.`,
      );
    }
    X = ds.X;
  } else {
    X = parseFeatures(await readTextFile(dataPath), { fileName: dataPath, featureNames: model.featureNames }).X;
  }
  const probabilities = predictProbabilities(params, applyScaling(X, model.scaling));
  const classes = classify(probabilities);
  const labels = [model.labels['0'], model.labels['1']];
  let chunk = csvRecord(['probability', 'class', 'label']);
  for (let j = 0; j < probabilities.length; j++) {
    chunk += csvRecord([probabilities[j]!, classes[j]!, labels[classes[j]!]!]);
    if ((j + 1) % ROWS_PER_WRITE === 0) {
      if (!ctx.stdout.write(chunk)) await new Promise((resolve) => ctx.stdout.once('drain', resolve));
      chunk = '';
    }
  }
  ctx.stdout.write(chunk);
  return EXIT.ok;
}

export const predictCommand: Command = { spec: PREDICT_SPEC, run: runPredict };
