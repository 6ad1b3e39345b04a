import { resolve } from 'node:path';
import { DEFAULT_HYPER, HYPER_RULES } from '../core/hyper';
import type { ModelFile } from '../core/model';
import type { Matrix } from '../core/matrix';
import type { Parameters } from '../core/network';
import { runInSlices } from '../core/slices';
import type { EpochPoint, Hyper, RunInfo, RunResult, StopReason } from '../core/types';
import { engineReport } from '../core/fast/engine';
import type { Dataset } from '../data/csv';
import { checkDistinctFeatureNames } from '../data/errors';
import type { PreparedData } from '../data/prepare';
import { SAMPLE_NAMES } from '../data/samples';
import { loadSource, parseSourceArgument } from '../data/source';
import type { DataSource } from '../data/types';
import { ignoreArgument, runModelFile, setUpRun } from '../run/setup';
import type { Locale } from '../shared/locale';
import { type CommandSpec, type ParsedArgs, UsageError, hiddenOption, langOption, numberOption } from './args';
import { type CliContext, type Command, EXIT } from './command';
import { checkOutputPath, readModelFile, writeTextFile } from './files';
import { fmt, metricsReport } from './format';
import { reportHtml, reportMessages } from './report';
import { EpochLines, ProgressBar, showLoading } from './progress';

export const DATA_ARGUMENT = {
  name: 'FILE.csv | sample:NAME',
  help: `a CSV or TSV file (comma, semicolon or tab; header optional), or a built-in dataset: ${SAMPLE_NAMES.map((n) => `sample:${n}`).join(', ')}. Default: sample:flower`,
  optional: true,
};

export const LABEL_OPTION = {
  value: 'COL',
  help: 'the label column, by name or number (1 = first column); default: the last column. It must hold exactly two values; other values than 0/1 are mapped and the mapping printed',
};

export const IGNORE_OPTION = {
  value: 'COL[,COL…]',
  help: 'columns to leave out of the features, by name or number, e.g. an id column (default: none)',
};

/** The data argument with --label and --ignore, which apply to files only. */
export function dataSourceOf(args: ParsedArgs): DataSource {
  const label = args.values.get('label') ?? null;
  const ignoreText = args.values.get('ignore');
  const ignore = ignoreText === undefined ? [] : ignoreText.split(',').map((c) => c.trim());
  if (ignore.some((c) => c === '')) {
    throw new UsageError(`--ignore must list column names or numbers separated by commas, e.g. --ignore id or --ignore 1,3; got ${JSON.stringify(ignoreText)}.`);
  }
  const source = parseSourceArgument(args.positionals[0], label, ignore);
  for (const [option, given, what] of [['--label', label !== null, 'label'], ['--ignore', ignore.length > 0, 'features']] as const) {
    if (source.kind === 'sample' && given) {
      throw new UsageError(`${option} applies to CSV files; the built-in dataset sample:${source.name} has its ${what} already.`);
    }
  }
  return source;
}

export const TRAIN_SPEC: CommandSpec = {
  name: 'train',
  summary:
    'Trains the lecture notes\' network (ReLU hidden layers, sigmoid output, cross-entropy) by gradient descent and prints the metrics on training and validation data.',
  positionals: [DATA_ARGUMENT],
  options: {
    label: LABEL_OPTION,
    ignore: IGNORE_OPTION,
    hidden: { value: 'N[,N…]', help: `hidden layer sizes: 4 is the notes' two-layer network with 4 hidden units, 16,8 two hidden layers (default ${DEFAULT_HYPER.hidden.join(',')})` },
    lr: { value: 'R', help: `learning rate α (default ${DEFAULT_HYPER.learningRate})` },
    epochs: { value: 'N', help: `number of epochs (default ${DEFAULT_HYPER.epochs}); 0 only evaluates the starting parameters` },
    'batch-size': { value: 'N', help: 'mini-batch size (default: full batch, all examples per step, as in the notes)' },
    seed: { value: 'S', help: `seed of the initial weights, the validation split and the mini-batch order (default ${DEFAULT_HYPER.seed})` },
    val: { value: 'F', help: `fraction of the examples kept apart for validation, 0 … <1 (default ${DEFAULT_HYPER.validationSplit})` },
    'no-standardize': { help: 'train on the raw feature values instead of standardising them with the training split\'s mean and standard deviation' },
    init: { value: 'MODEL.json', help: 'start from exactly the parameters (and scaling) of a model file, to continue training' },
    save: { value: 'MODEL.json', help: 'write the trained model (architecture, parameters, feature names, label mapping, scaling) to this file; an existing file is replaced, but never the data file' },
    json: { help: 'write one JSON object per line instead of the progress bar and tables: epochs, then {"done": true, …}' },
    dtype: { value: 'float64|float32', help: 'number type of the training arithmetic (default float64); float32 is faster on large data and its costs agree with float64 to about 1e-4 (relative) or better' },
    report: { value: 'RUN.html', help: 'write a self-contained HTML report of the run (the backprop map with the final matrices, the curves, the decision boundary, the results) that opens offline in any browser; an existing file is replaced' },
    'report-lang': { value: 'en|de', help: 'language of the report\'s labels (default: German when LC_ALL, LC_MESSAGES or LANG names German, else English)' },
  },
  notes:
    'Exit codes: 0 done; 1 training diverged (try a smaller --lr); 2 bad input or usage; 130 stopped with Ctrl-C (the metrics so far are printed, and the model saved with --save).\n' +
    'Examples:\n  backprop-map train\n  backprop-map train data.csv --label diagnosis --hidden 16,8 --save model.json\n  backprop-map train data.csv --init model.json --epochs 500 --save model.json',
};

export interface TrainRequest {
  source: DataSource;
  hyper: Hyper;
  initPath: string | null;
  savePath: string | null;
  reportPath: string | null;
  reportLang: Locale;
  json: boolean;
  dtype: 'float64' | 'float32';
}

/** A number option that sets a hyper-parameter, checked by that hyper-parameter's rule. */
export function hyperOption(args: ParsedArgs, name: string, key: 'learningRate' | 'epochs' | 'batchSize' | 'seed' | 'validationSplit', fallback: number): number {
  const rule = HYPER_RULES[key];
  return numberOption(args, name, fallback, (x) => rule.ok(x), rule.expected);
}

export function trainRequestOf(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): TrainRequest {
  const source = dataSourceOf(args);
  const initPath = args.values.get('init') ?? null;
  if (initPath !== null && args.values.has('hidden')) {
    throw new UsageError('--hidden cannot be combined with --init: the network\'s layers come from the model file.');
  }
  if (initPath !== null && args.flags.has('no-standardize')) {
    throw new UsageError('--no-standardize cannot be combined with --init: the model file\'s own scaling is used.');
  }
  const dtype = args.values.get('dtype') ?? 'float64';
  if (dtype !== 'float64' && dtype !== 'float32') throw new UsageError(`--dtype must be float64 or float32, got ${dtype}.`);
  const hyper: Hyper = {
    hidden: hiddenOption(args, DEFAULT_HYPER.hidden),
    learningRate: hyperOption(args, 'lr', 'learningRate', DEFAULT_HYPER.learningRate),
    epochs: hyperOption(args, 'epochs', 'epochs', DEFAULT_HYPER.epochs),
    // Absent: full batch (null); given, a number of examples.
    batchSize: args.values.has('batch-size') ? hyperOption(args, 'batch-size', 'batchSize', 0) : null,
    seed: hyperOption(args, 'seed', 'seed', DEFAULT_HYPER.seed),
    validationSplit: hyperOption(args, 'val', 'validationSplit', DEFAULT_HYPER.validationSplit),
    standardize: !args.flags.has('no-standardize'),
  };
  return { source, hyper, initPath, savePath: args.values.get('save') ?? null, reportPath: args.values.get('report') ?? null, reportLang: langOption(args, 'report-lang', env), json: args.flags.has('json'), dtype };
}

/** Everything a finished run produced: what the command prints, and what a report can show. */
export interface TrainRun {
  info: RunInfo;
  result: RunResult;
  dataset: Dataset;
  prepared: PreparedData;
  /** The parameters at the end (for a diverged run: those of the last epoch with a finite cost). */
  params: Parameters;
  model: ModelFile;
  /** The number of the first epoch of this run minus one (> 0 when continuing with --init). */
  startEpoch: number;
  /** The cost of every epoch of this run. */
  costs: number[];
  seconds: number;
}

export interface TrainHooks {
  /** After loading, before the first epoch; `startEpoch` > 0 when continuing a model file's run. */
  onStart?(info: RunInfo, dataset: Dataset, startEpoch: number, prepared: PreparedData): void;
  onEpoch?(point: EpochPoint): void;
}

/** Lets the event loop run (for Ctrl-C) about every 50 ms of training. */
const CHUNK_MS = 50;

/**
 * Loads the data, sets the run up as the editor's worker does, trains in slices between which
 * Ctrl-C is noticed, and evaluates. Throws DataError/ModelError/UsageError for bad input; never
 * writes files.
 */
export async function runTraining(req: TrainRequest, ctx: CliContext, hooks: TrainHooks = {}): Promise<TrainRun> {
  const started = performance.now();
  const dataset = await loadSource(req.source);
  checkDistinctFeatureNames(dataset);
  const init = req.initPath === null ? null : { name: req.initPath, ...(await readModelFile(req.initPath)) };
  const run = setUpRun(dataset, req.hyper, init, { dtype: req.dtype });
  const { info, prepared, startEpoch, session } = run;
  hooks.onStart?.(info, dataset, startEpoch, prepared);

  const costs: number[] = [];
  const onEpoch = (p: EpochPoint): void => {
    costs.push(p.cost);
    hooks.onEpoch?.(p);
  };
  let reason: StopReason = 'completed';
  let message: string | null = null;
  await runInSlices({
    targetMs: CHUNK_MS,
    now: () => performance.now(),
    yieldToEvents: () => new Promise((resolve) => setImmediate(resolve)),
    slice: (n) => {
      if (session.finished) return false;
      if (ctx.interrupt.aborted) {
        reason = 'cancelled';
        return false;
      }
      const out = session.runEpochs(n, onEpoch, false);
      [reason, message] = [out.reason, out.message];
      return out.reason === 'completed';
    },
  });

  const result = session.result(reason, message);
  return {
    info,
    result,
    dataset,
    prepared,
    params: session.params,
    model: runModelFile(run, result.epochs, result.train.cost),
    startEpoch,
    costs,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Feature names that usually number the rows rather than measure anything. */
const ID_NAME = /^(id|index)$|[ _-]id$/i;

function describeRun(info: RunInfo, dataset: Dataset, startEpoch: number, req: TrainRequest, trainY: Matrix): string {
  const h = info.hyper;
  const lines: string[] = [];
  const ignored = req.source.kind === 'file' ? (req.source.ignore ?? []) : [];
  const leftOut = ignored.length > 0 ? `; left out ${ignored.map((c) => JSON.stringify(c)).join(', ')}` : '';
  lines.push(`Data     ${info.datasetName}: ${info.m + info.mValidation} examples, ${info.featureNames.length} features, label ${JSON.stringify(info.labelName)}${leftOut}`);
  const ids = info.featureNames.filter((name) => ID_NAME.test(name));
  if (ids.length > 0 && req.initPath === null) {
    const names = ids.map((n) => JSON.stringify(n)).join(', ');
    lines.push(`Note     ${names} ${ids.length === 1 ? 'looks like an identifier and is used as a feature' : 'look like identifiers and are used as features'}; leave ${ids.length === 1 ? 'it' : 'them'} out with --ignore ${ignoreArgument(ids)}`);
  }
  if (dataset.labelMapped) lines.push(`Labels   ${JSON.stringify(info.labels['0'])} → 0, ${JSON.stringify(info.labels['1'])} → 1`);
  const split = info.mValidation > 0 ? `${info.m} for training, ${info.mValidation} for validation (seed ${h.seed})` : `all ${info.m} for training, none for validation`;
  lines.push(`Split    ${split}; ${h.standardize ? 'features standardised with the training split\'s mean and std' : 'raw feature values'}`);
  const ones = trainY.data.reduce((n, y) => n + y, 0);
  if (ones === 0 || ones === trainY.cols) {
    const only = ones === 0 ? 0 : 1;
    lines.push(
      `Note     ${trainY.cols === 1 ? 'the only training example is' : `all ${trainY.cols} training examples are`} of class ${only} (${JSON.stringify(info.labels[only])}): there is nothing to learn ` +
        'the other class from; keep fewer examples apart with --val, or use more data',
    );
  }
  const batch = h.batchSize === null || h.batchSize >= info.m ? 'full-batch gradient descent' : `mini-batches of ${h.batchSize}`;
  const start = req.initPath !== null ? `, starting from ${req.initPath} (after epoch ${startEpoch})` : '';
  lines.push(`Network  [${info.layerDims.join(', ')}], ReLU hidden layers, sigmoid output; ${h.epochs} epochs of ${batch}, α = ${h.learningRate}${start}`);
  return `${lines.join('\n')}\n\n`;
}

async function runTrainCommand(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const req = trainRequestOf(args);
  // --save may replace the --init model (continuing a run); nothing else the run reads.
  const data = req.source.kind === 'file' ? [{ path: req.source.path, what: 'the data file' }] : [];
  const init = req.initPath === null ? [] : [{ path: req.initPath, what: 'the --init model file' }];
  if (req.savePath !== null) await checkOutputPath(req.savePath, '--save', data);
  if (req.reportPath !== null) await checkOutputPath(req.reportPath, '--report', [...data, ...init]);
  if (req.savePath !== null && req.reportPath !== null && resolve(req.savePath) === resolve(req.reportPath)) {
    throw new UsageError(`--save and --report name the same file, ${req.savePath}; the report would replace the model. Choose two file names.`);
  }
  const points: EpochPoint[] = [];
  const tty = !req.json && ctx.stderr.isTTY === true;
  let bar: ProgressBar | null = null;
  let lines: EpochLines | null = null;
  const onAbort = (): void => {
    const text = 'Stopping after this epoch … (press Ctrl-C again to quit at once)';
    if (bar) bar.note(text);
    else if (!req.json) ctx.stderr.write(`${text}\n`);
  };
  ctx.interrupt.addEventListener('abort', onAbort, { once: true });
  const release = ctx.holdInterrupts?.() ?? (() => undefined);
  const loaded = tty && req.source.kind === 'file' ? showLoading(ctx.stderr, req.source.path) : () => undefined;

  let run: TrainRun;
  try {
    run = await runTraining(req, ctx, {
      onStart: (info, dataset, first, prepared) => {
        loaded();
        if (req.json) lines = new EpochLines(ctx.stdout, first, info.hyper.epochs);
        else ctx.stdout.write(describeRun(info, dataset, first, req, prepared.train.Y));
        if (tty && info.hyper.epochs > 0) bar = new ProgressBar(ctx.stderr, first, first + info.hyper.epochs);
      },
      onEpoch: (p) => {
        lines?.point(p);
        bar?.update(p);
        if (req.reportPath !== null) points.push(p);
      },
    });
  } finally {
    loaded();
    release();
    ctx.interrupt.removeEventListener('abort', onAbort);
    (bar as ProgressBar | null)?.finish();
  }
  (lines as EpochLines | null)?.finish();

  const { result } = run;
  let saved: string | null = null;
  if (req.savePath !== null && result.reason !== 'diverged') {
    await writeTextFile(req.savePath, `${JSON.stringify(run.model, null, 1)}\n`, '--save');
    saved = req.savePath;
  }
  // The report is written for every outcome: a diverged or stopped run is worth looking at too.
  if (req.reportPath !== null) {
    const { X, Y } = run.prepared.train;
    // The panel's m is the number of training examples (the map's columns).
    const info = { ...run.info, m: X.cols };
    const messages = reportMessages({ info, points, result, params: run.params, data: { X, Y, validation: run.prepared.validation } }, req.reportLang);
    await writeTextFile(req.reportPath, reportHtml(messages, req.reportLang), '--report');
  }

  if (req.json) {
    ctx.stdout.write(`${JSON.stringify(finalObject(run, saved, req.reportPath))}\n`);
  } else {
    ctx.stdout.write(`${finalText(run)}`);
    if (saved !== null) ctx.stdout.write(`\nSaved the model to ${saved}.\n`);
    if (req.reportPath !== null) ctx.stdout.write(`${saved === null ? '\n' : ''}Wrote the report to ${req.reportPath}.\n`);
  }
  if (result.reason === 'diverged') {
    const notSaved = req.savePath !== null ? ` The model was not saved to ${req.savePath}.` : '';
    ctx.stderr.write(`${result.message}${notSaved}\n`);
    return EXIT.checkFailed;
  }
  return result.reason === 'cancelled' ? EXIT.interrupted : EXIT.ok;

}

/** The final `--json` object: RunResult, plus what the run was. */
export function finalObject(run: TrainRun, saved: string | null, report: string | null = null): Record<string, unknown> {
  const { info, result } = run;
  return {
    done: true,
    reason: result.reason,
    message: result.message,
    epochs: result.epochs,
    train: result.train,
    validation: result.validation,
    labels: info.labels,
    labelName: info.labelName,
    featureNames: info.featureNames,
    dataset: info.datasetName,
    m: info.m,
    mValidation: info.mValidation,
    layerDims: info.layerDims,
    hyper: info.hyper,
    saved,
    report,
    seconds: Number(run.seconds.toFixed(3)),
    // Which kernels and how many threads trained (npm run bench:cli prints it).
    engine: engineReport(),
  };
}

function finalText(run: TrainRun): string {
  const { result } = run;
  const ran = result.epochs - run.startEpoch;
  const lastCost = run.costs.length > 0 ? fmt(run.costs[run.costs.length - 1]!) : '–';
  let head: string;
  if (result.reason === 'cancelled') head = `Stopped with Ctrl-C after epoch ${result.epochs} (${ran} epochs of this run); the metrics so far:`;
  else if (result.reason === 'diverged') head = `Training diverged after epoch ${result.epochs}; the metrics of the last parameters with a finite cost:`;
  else head = `Trained ${ran} epochs in ${run.seconds.toFixed(1)} s (last epoch's cost ${lastCost}):`;
  return `${head}\n\n${metricsReport(result.train, result.validation)}`;
}

export const trainCommand: Command = { spec: TRAIN_SPEC, run: runTrainCommand };
