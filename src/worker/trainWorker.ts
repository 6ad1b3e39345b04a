/**
 * The training worker thread (dist/trainWorker.js): loads the data, trains, and streams the run to
 * the extension host as FromWorker messages. The extension host never parses or trains itself.
 */
import { parentPort } from 'node:worker_threads';
import { parseModelFile } from '../core/model';
import type { Hyper } from '../core/types';
import type { Dataset } from '../data/csv';
import { DataError, checkDistinctFeatureNames } from '../data/errors';
import { loadSource } from '../data/source';
import type { FromWorker, ToWorker } from '../protocol';
import { type InitModel, runModelFile, setUpRun } from '../run/setup';
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

let current: { ds: Dataset; hyper: Hyper; init: InitModel | null } | null = null;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * A fresh session, set up as `backprop-map train` sets up its run. A model file continues from its
 * parameters, its epochs numbered on; a new seed means new random parameters of the model's shape.
 */
function setupFor(seed: number): RunSetup {
  const { ds, hyper, init } = current!;
  const run = setUpRun(ds, { ...hyper, seed }, init, { fresh: seed !== hyper.seed });
  return { session: run.session, info: run.info, model: (session, result) => runModelFile(run, session.epoch, result.train.cost) };
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
  const name = 'the model to continue from';
  const init = m.initModel === undefined ? null : { name, ...parseModelFile(JSON.stringify(m.initModel), name) };
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
