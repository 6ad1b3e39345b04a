import { type Matrix, gatherColumns } from '../core/matrix';
import type { Scaling } from '../core/model';
import { createRng, shuffledIndices } from '../core/rng';
import type { Hyper, RunInfo } from '../core/types';
import type { Dataset } from './csv';
import { DataError } from './errors';

export interface PreparedData {
  train: { X: Matrix; Y: Matrix };
  /** null when the validation split is 0. */
  validation: { X: Matrix; Y: Matrix } | null;
  /** The scaling applied to both splits (computed on the training split), or null. */
  scaling: Scaling | null;
}

export interface PrepareOptions {
  /** Fraction of the examples kept apart for validation, 0 … <1. */
  validationSplit: number;
  seed: number;
  standardize: boolean;
  /**
   * Use this scaling instead of computing one (continuing from a model file, whose parameters
   * were learned on its own scaling). null means the raw numbers; undefined: follow `standardize`.
   */
  scaling?: Scaling | null;
}

// Training uses the streams 0 (initial weights) and 1, 2, … (the epochs' mini-batch orders);
// the split takes the last stream so that it is independent of both.
const SPLIT_STREAM = 0xffffffff;

/** How many of m examples go to validation: round(m·split), leaving at least one for training. */
export function validationCount(m: number, split: number): number {
  if (!(split >= 0 && split < 1)) throw new RangeError(`the validation split must be in 0 … <1, got ${split}`);
  return Math.min(m - 1, Math.round(m * split));
}

/**
 * Splits off a seeded random validation set and standardises the features with the training
 * split's mean and standard deviation. Both splits keep the examples in file order, so with
 * validationSplit 0 and standardize false the training data is exactly the file's X and Y.
 * DataError when a feature, as the network would get it, is too large to train on.
 */
export function prepareData(ds: Dataset, options: PrepareOptions): PreparedData {
  const m = ds.X.cols;
  const nVal = validationCount(m, options.validationSplit);
  let train = { X: ds.X, Y: ds.Y };
  let validation: PreparedData['validation'] = null;
  if (nVal > 0) {
    const order = shuffledIndices(m, createRng(options.seed, SPLIT_STREAM));
    const valIdx = order.slice(0, nVal).sort();
    const trainIdx = order.slice(nVal).sort();
    train = { X: gatherColumns(ds.X, trainIdx, 0, m - nVal), Y: gatherColumns(ds.Y, trainIdx, 0, m - nVal) };
    validation = { X: gatherColumns(ds.X, valIdx, 0, nVal), Y: gatherColumns(ds.Y, valIdx, 0, nVal) };
  }
  const scaling = options.scaling !== undefined ? options.scaling : options.standardize ? fitScaling(train.X) : null;
  const trainX = applyScaling(train.X, scaling);
  checkInputs(ds, trainX, scaling);
  return {
    train: { X: trainX, Y: train.Y },
    validation: validation && { X: applyScaling(validation.X, scaling), Y: validation.Y },
    scaling,
  };
}

/**
 * Mean and population standard deviation (as numpy's X.std(axis=1)) of each feature (row).
 * A constant feature gets mean = its value and std = 1, so that it scales to exactly 0, not NaN.
 * Both are computed on the values divided by the largest magnitude, so that features near the
 * double's limits (1e308, or subnormal as 1e-320) give a finite, non-zero std instead of a sum or a
 * square that overflows to Infinity or underflows to 0.
 */
export function fitScaling(X: Matrix): Scaling {
  const mean: number[] = [];
  const std: number[] = [];
  const m = X.cols;
  for (let i = 0; i < X.rows; i++) {
    const row = X.data.subarray(i * m, (i + 1) * m);
    const { min, max } = rangeOf(row);
    if (min === max) {
      mean.push(min);
      std.push(1);
      continue;
    }
    const scale = Math.max(Math.abs(min), Math.abs(max));
    let sum = 0;
    for (let j = 0; j < m; j++) sum += row[j]! / scale;
    const mu = sum / m;
    let ss = 0;
    for (let j = 0; j < m; j++) {
      const d = row[j]! / scale - mu;
      ss += d * d;
    }
    mean.push(mu * scale);
    std.push(Math.sqrt(ss / m) * scale);
  }
  return { mean, std };
}

function rangeOf(values: Float64Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** (x − mean) / std for every feature, as a new matrix; X itself when scaling is null. */
export function applyScaling(X: Matrix, scaling: Scaling | null): Matrix {
  if (scaling === null) return X;
  if (scaling.mean.length !== X.rows || scaling.std.length !== X.rows) {
    throw new RangeError(`the scaling is for ${scaling.mean.length} features, X has ${X.rows}`);
  }
  const m = X.cols;
  const out = new Float64Array(X.data.length);
  for (let i = 0; i < X.rows; i++) {
    const mu = scaling.mean[i]!;
    const sd = scaling.std[i]!;
    for (let j = i * m, end = (i + 1) * m; j < end; j++) {
      const x = X.data[j]!;
      const z = (x - mu) / sd;
      // x − mean overflows for values of opposite signs near 1e308; divided first, it does not.
      out[j] = Number.isFinite(z) ? z : x / sd - mu / sd;
    }
  }
  return { rows: X.rows, cols: m, data: out };
}

/**
 * Inputs larger than this make the network's products overflow in the first epochs (the gradient
 * of W^[1] is made of products x·dZ, the next Z of W·x, so x² must stay far below 1e308), and the
 * run diverges whatever the learning rate.
 */
const LARGEST_INPUT = 1e150;

/**
 * DataError naming the first feature whose values, as the network gets them, are not finite or too
 * large to train on: that is the data's fault, and a smaller learning rate does not help.
 */
function checkInputs(ds: Dataset, X: Matrix, scaling: Scaling | null): void {
  const m = X.cols;
  for (let i = 0; i < X.rows; i++) {
    const { min, max } = rangeOf(X.data.subarray(i * m, (i + 1) * m));
    if (Number.isFinite(min) && Number.isFinite(max) && Math.max(-min, max) <= LARGEST_INPUT) continue;
    const raw = rangeOf(ds.X.data.subarray(i * ds.X.cols, (i + 1) * ds.X.cols));
    const name = JSON.stringify(ds.featureNames[i]);
    const how =
      scaling === null
        ? 'Without standardisation the network gets these numbers as they are, and products of them overflow, so ' +
          'training would diverge at any learning rate. Standardise the features (leave out --no-standardize), or ' +
          'rescale the column (divide it by a power of ten)'
        : `Standardised with the model's mean ${scaling.mean[i]} and std ${scaling.std[i]} they become as large as ` +
          `${Math.max(-min, max)}, too large to train on. Rescale the column (divide it by a power of ten) and start a new model`;
    throw new DataError(`${ds.name}: the feature ${name} ranges from ${raw.min} to ${raw.max}. ${how}.`, { file: ds.name });
  }
}

/** What a run trains on, as the panel and the report show it; m counts the training examples (the map's m). */
export function runInfoOf(ds: Dataset, prepared: PreparedData, layerDims: number[], hyper: Hyper): RunInfo {
  return {
    datasetName: ds.name,
    featureNames: ds.featureNames,
    labelName: ds.labelName,
    labels: ds.labels,
    layerDims,
    m: prepared.train.X.cols,
    mValidation: prepared.validation?.X.cols ?? 0,
    hyper,
  };
}
