/**
 * The training worker thread (dist/trainWorker.js): loads the data, trains, and streams the run to
 * the extension host as FromWorker messages. The extension host never parses or trains itself.
 */
import { parentPort } from 'node:worker_threads';
import { createModelFile, parseModelFile, type ModelFile } from '../core/model';
import { cloneParameters, initParameters, layerDimsOf, type Parameters } from '../core/network';
import { TrainingSession } from '../core/session';
import type { Dataset } from '../data/csv';
import { DataError, checkDistinctFeatureNames } from '../data/errors';
import { prepareData, runInfoOf } from '../data/prepare';
import { loadSource } from '../data/source';
import type { Hyper } from '../core/types';
import type { FromWorker, ToWorker } from '../protocol';
import { RunController, type RunSetup } from './runController';

const port = parentPort;
if (!port) throw new Error('trainWorker.js runs as a worker thread of the extension host');

const post = (m: FromWorker): void => port.postMessage(m);

const controller = new RunController(
  {
    post,
    now: () => performance.now(),
    yieldToEvents: () => new Promise((resolve) => setImmediate(resolve)),
  },
  (seed) => setupFor(seed),
);

let current: { ds: Dataset; hyper: Hyper; init: { model: ModelFile; params: Parameters } | null } | null = null;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A fresh session: the data split and the initial parameters follow the seed (or the model file). */
function setupFor(seed: number): RunSetup {
  const { ds, init } = current!;
  const hyper: Hyper = { ...current!.hyper, seed };
  const prepared = prepareData(ds, {
    validationSplit: hyper.validationSplit,
    seed,
    standardize: hyper.standardize,
    ...(init ? { scaling: init.model.scaling } : {}),
  });
  // A model file continues from its parameters, its epochs numbered on (as `train --init` does);
  // a new seed means new random parameters of the model's shape.
  const continuing = init !== null && seed === current!.hyper.seed;
  const hidden = init ? init.model.layerDims.slice(1, -1) : hyper.hidden;
  const params = continuing ? cloneParameters(init!.params) : initParameters(layerDimsOf(ds.X.rows, hidden), seed);
  const startEpoch = continuing ? (init!.model.training?.epochs ?? 0) : 0;
  const session = new TrainingSession({ X: prepared.train.X, Y: prepared.train.Y, validation: prepared.validation }, hyper, params, startEpoch);
  const info = runInfoOf(ds, prepared, session.layerDims, { ...hyper, hidden: session.layerDims.slice(1, -1) });
  return {
    session,
    info,
    model: (s) =>
      createModelFile({
        params: s.params,
        featureNames: ds.featureNames,
        labelName: ds.labelName,
        labels: ds.labels,
        scaling: prepared.scaling,
        training: { epochs: s.epoch, hyper: info.hyper, cost: s.result('completed', null).train.cost },
      }),
  };
}

async function start(m: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  let ds: Dataset;
  try {
    ds = await loadSource(m.source);
    checkDistinctFeatureNames(ds);
  } catch (e) {
    if (e instanceof DataError) post({ type: 'dataError', error: e.toInfo() });
    else post({ type: 'error', message: `The data could not be read: ${message(e)}` });
    return;
  }
  let init: { model: ModelFile; params: Parameters } | null = null;
  if (m.initModel !== undefined) {
    init = parseModelFile(JSON.stringify(m.initModel), 'the model to continue from');
    if (init.model.layerDims[0] !== ds.X.rows) {
      throw new Error(`the model expects ${init.model.layerDims[0]} features, but ${ds.name} has ${ds.X.rows} (${ds.featureNames.join(', ')}).`);
    }
  }
  current = { ds, hyper: m.hyper, init };
  let setup: RunSetup;
  try {
    setup = setupFor(m.hyper.seed);
  } catch (e) {
    // Features too large to train on are the data's fault, shown like any other data error.
    if (!(e instanceof DataError)) throw e;
    post({ type: 'dataError', error: e.toInfo() });
    return;
  }
  await controller.start(setup);
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'start':
      return start(m);
    case 'control':
      return controller.control(m.action);
    case 'gradcheck':
      return controller.gradcheck();
    case 'stop':
      return controller.stop();
  }
}

port.on('message', (m: ToWorker) => {
  handle(m).catch((e: unknown) => post({ type: 'error', message: message(e) }));
});
