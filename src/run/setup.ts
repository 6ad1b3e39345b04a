/**
 * A training run set up from its data, the same way for `backprop-map train` and the editor's
 * training worker: a model file to continue from checked against the data, the data split and
 * scaled, the initial parameters drawn (or the model file's taken), the session that trains them,
 * and the model file the run ends with. Throws ModelError for a model that does not fit the data,
 * DataError for data the network cannot take.
 */
import { type ModelFile, ModelError, createModelFile } from '../core/model';
import { type Parameters, cloneParameters, forward, initParameters, layerDimsOf, layerDimsOfParameters } from '../core/network';
import type { DType } from '../core/fast/engine';
import { LIMITS } from '../core/hyper';
import type { Matrix } from '../core/matrix';
import { TrainingSession } from '../core/session';
import type { Hyper, RunInfo } from '../core/types';
import type { Dataset } from '../data/csv';
import { listForMessage } from '../data/errors';
import { type PreparedData, prepareData, runInfoOf } from '../data/prepare';

/** A model file to continue from; `name` names it in messages (its path on the command line). */
export interface InitModel {
  name: string;
  model: ModelFile;
  params: Parameters;
}

export interface RunSetupOptions {
  /**
   * Only the model's shape and scaling, with new random parameters from the seed and epochs
   * numbered from 0 (a new seed for a run that continued a model file).
   */
  fresh?: boolean;
  dtype?: DType;
}

export interface PlannedRun {
  dataset: Dataset;
  /** The hyper-parameters the run uses: a model file's layers and scaling win over those asked for. */
  hyper: Hyper;
  prepared: PreparedData;
  info: RunInfo;
  /** The epochs done before this run (a model file's), from which the numbering goes on. */
  startEpoch: number;
  session: TrainingSession;
}

export function setUpRun(dataset: Dataset, requested: Hyper, init: InitModel | null, options: RunSetupOptions = {}): PlannedRun {
  if (init !== null) checkModelFits(init, dataset);
  const continuing = init !== null && options.fresh !== true;
  const hyper: Hyper = init === null
    ? { ...requested, hidden: [...requested.hidden] }
    : { ...requested, hidden: init.model.layerDims.slice(1, -1), standardize: init.model.scaling !== null };
  const prepared = prepareData(dataset, {
    validationSplit: hyper.validationSplit,
    seed: hyper.seed,
    standardize: hyper.standardize,
    ...(init !== null ? { scaling: init.model.scaling } : {}),
  });
  const params = continuing ? cloneParameters(init.params) : initParameters(layerDimsOf(dataset.X.rows, hyper.hidden), hyper.seed);
  const startEpoch = continuing ? (init.model.training?.epochs ?? 0) : 0;
  if (continuing) {
    checkEpochsCount(init.name, startEpoch, hyper.epochs);
    checkStartOverflow(init.name, params, prepared.train.X, dataset.name);
  }
  const { train, validation } = prepared;
  const session = new TrainingSession({ X: train.X, Y: train.Y, validation }, hyper, params, startEpoch, options.dtype);
  const info = runInfoOf(dataset, prepared, layerDimsOfParameters(params), hyper);
  return { dataset, hyper, prepared, info, startEpoch, session };
}

/** The model file of the run's parameters after `epochs` epochs; `cost` is their J on the training data. */
export function runModelFile(run: PlannedRun, epochs: number, cost: number): ModelFile {
  const { dataset } = run;
  return createModelFile({
    params: run.session.params,
    featureNames: dataset.featureNames,
    labelName: dataset.labelName,
    labels: dataset.labels,
    scaling: run.prepared.scaling,
    training: { epochs, hyper: run.hyper, ...(Number.isFinite(cost) ? { cost } : {}) },
  });
}

/** The value of --ignore that leaves out these columns, quoted for a shell where needed. */
export function ignoreArgument(columns: readonly string[]): string {
  return columns.map((n) => (/^[\w.-]+$/.test(n) ? n : JSON.stringify(n))).join(',');
}

/** Checks that a model file fits the data it continues on; ModelError naming both otherwise. */
function checkModelFits({ name: path, model }: InitModel, ds: Dataset): void {
  const nx = ds.X.rows;
  const names = (list: readonly string[]): string => listForMessage(list, 20);
  // The model's features among more columns: the usual cause is a column left out with --ignore.
  const extra = ds.featureNames.filter((n) => !model.featureNames.includes(n));
  const hint = nx > model.featureNames.length && model.featureNames.every((n) => ds.featureNames.includes(n))
    ? ` Leave out the other ${extra.length === 1 ? 'column' : 'columns'} with --ignore ${ignoreArgument(extra)}.`
    : '';
  if (model.featureNames.length !== nx) {
    throw new ModelError(
      `${path} was trained on ${model.featureNames.length} features (${names(model.featureNames)}), but ${ds.name} has ${nx} (${names(ds.featureNames)}).${hint}`,
    );
  }
  const generic = ds.featureNames.every((n, i) => n === `col${i + 1}`);
  if (!generic && ds.featureNames.some((n, i) => n !== model.featureNames[i])) {
    throw new ModelError(
      `${path} was trained on the features ${names(model.featureNames)}, but ${ds.name} has ${names(ds.featureNames)}. The columns must be the same, in the same order.`,
    );
  }
  if (model.labels['0'] !== ds.labels['0'] || model.labels['1'] !== ds.labels['1']) {
    throw new ModelError(
      `${path} maps the label ${JSON.stringify(model.labels['0'])} to 0 and ${JSON.stringify(model.labels['1'])} to 1, but the label column of ${ds.name} holds ${JSON.stringify(ds.labels['0'])} and ${JSON.stringify(ds.labels['1'])}.`,
    );
  }
}

/** The epochs of a continued run are numbered on from the file's: the numbers must stay exact. */
function checkEpochsCount(path: string, startEpoch: number, epochs: number): void {
  const room = LIMITS.totalEpochs - startEpoch;
  if (epochs > room) {
    throw new ModelError(
      `${path} has been trained for ${startEpoch} epochs; ${epochs} more would count beyond 2^53 − 1, the largest exact epoch number. Give --epochs ${room} or fewer, or train afresh without --init.`,
    );
  }
}

/**
 * A model file's own parameters that overflow on this data make the first epoch's cost infinite
 * at any learning rate: that is said before training, naming the layer, instead of "diverged".
 */
function checkStartOverflow(path: string, params: Parameters, X: Matrix, dataName: string): void {
  const { Z } = forward(params, X);
  const l = Z.findIndex((z) => !z.data.every(Number.isFinite));
  if (l < 0) return;
  const largest = (m: Matrix): number => m.data.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
  const [W, b] = [largest(params.W[l]!), largest(params.b[l]!)];
  const [name, size] = W >= b ? [`W${l + 1}`, W] : [`b${l + 1}`, b];
  throw new ModelError(
    `${path}: its parameters overflow on ${dataName} before any training: Z[${l + 1}] = W${l + 1}·A[${l}] + b${l + 1} is not finite ` +
      `(${name} holds values as large as ${size.toPrecision(3)}), so no learning rate helps. Train afresh without --init, or use a model file whose parameters are of a usual size.`,
  );
}
