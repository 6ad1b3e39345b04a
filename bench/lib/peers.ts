/**
 * Other JavaScript engines on the same workloads, from bench/.peers/ (`npm run bench:peers`
 * installs them there; they are not dependencies of the package):
 * - TensorFlow.js, cpu and wasm backends, float32: the notes' epoch written with its ops, starting
 *   from the core's initial parameters; Aᵀ and Wᵀ as explicit transposes (its fastest form).
 * - brain.js NeuralNetwork, float32: the same layer sizes with ReLU, trained by its own rule
 *   (an update per example, its own output activation and error), so only its time per pass over
 *   the m examples is comparable.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Workload } from './workloads';

export type PeerName = 'tfjs-wasm' | 'tfjs-cpu' | 'brain.js';
export const PEERS: PeerName[] = ['tfjs-wasm', 'tfjs-cpu', 'brain.js'];

const peersDir = join(process.cwd(), 'bench', '.peers');
const peerRequire = createRequire(join(peersDir, 'package.json'));

/* The peers' own types are not installed with the package: they are used through `any`. */
type Any = any;

let tf: Any = null;

/** Loads a peer and makes it ready (TensorFlow.js backends initialise asynchronously). */
export async function activatePeer(p: PeerName): Promise<void> {
  if (p === 'brain.js') return;
  if (tf === null) {
    tf = peerRequire('@tensorflow/tfjs');
    const wasm = peerRequire('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(join(peersDir, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') + '/');
  }
  if (!(await tf.setBackend(p === 'tfjs-wasm' ? 'wasm' : 'cpu'))) throw new Error(`TensorFlow.js could not start its ${p} backend`);
  await tf.ready();
  if (p === 'tfjs-wasm') wasmFeatures = `SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'on' : 'off'}, threads ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'on' : 'off'}`;
}

let wasmFeatures = 'not started';
/** What the wasm backend ran with, as TensorFlow.js reports it. */
export const tfjsWasmFeatures = (): string => wasmFeatures;

function tfjsSession(w: Workload, learningRate: number): (k: number) => number[] {
  const m = w.X.cols, L = w.params.W.length;
  const X = tf.tensor2d(Float32Array.from(w.X.data), [w.X.rows, m]);
  const Y = tf.tensor2d(Float32Array.from(w.Y.data), [1, m]);
  const W = w.params.W.map((x) => tf.variable(tf.tensor2d(Float32Array.from(x.data), [x.rows, x.cols])));
  const b = w.params.b.map((x) => tf.variable(tf.tensor2d(Float32Array.from(x.data), [x.rows, 1])));
  const epoch = (): Any =>
    tf.tidy(() => {
      const A: Any[] = [X];
      const Z: Any[] = [];
      for (let l = 0; l < L; l++) {
        const z = tf.add(tf.matMul(W[l], A[l]), b[l]);
        Z.push(z);
        A.push(l < L - 1 ? tf.relu(z) : tf.sigmoid(z));
      }
      const AL = A[L];
      const cost = tf.neg(tf.mean(tf.add(tf.mul(Y, tf.log(AL)), tf.mul(tf.sub(1, Y), tf.log(tf.sub(1, AL))))));
      let dZ = tf.sub(AL, Y);
      for (let l = L - 1; l >= 0; l--) {
        const dW = tf.div(tf.matMul(dZ, tf.transpose(A[l])), m);
        const db = tf.div(tf.sum(dZ, 1, true), m);
        if (l > 0) dZ = tf.mul(tf.matMul(tf.transpose(W[l]), dZ), tf.step(Z[l - 1]));
        W[l].assign(tf.sub(W[l], tf.mul(learningRate, dW)));
        b[l].assign(tf.sub(b[l], tf.mul(learningRate, db)));
      }
      return tf.keep(cost);
    });
  return (k) => {
    const costs: number[] = [];
    // The cpu and wasm backends compute each op when it is called; reading the last cost waits for all.
    for (let e = 0; e < k; e++) {
      const c = epoch();
      if (e === k - 1) costs.push(c.dataSync()[0]);
      c.dispose();
    }
    return costs;
  };
}

function brainSession(w: Workload, learningRate: number): (k: number) => number[] {
  const brain = peerRequire('brain.js');
  const m = w.X.cols, nx = w.X.rows;
  const net = new brain.NeuralNetwork({ hiddenLayers: w.dims.slice(1, -1), activation: 'relu', learningRate });
  const data = Array.from({ length: m }, (_, j) => ({
    input: Array.from({ length: nx }, (_, i) => w.X.data[i * m + j]!),
    output: [w.Y.data[j]!],
  }));
  net.train(data, { iterations: 1 }); // sizes the network and formats the data once
  const patterns = data.map((d) => ({ input: Float32Array.from(d.input), output: Float32Array.from(d.output) }));
  return (k) => {
    for (let e = 0; e < k; e++) net.trainPatterns(patterns);
    return [];
  };
}

export function peerSession(p: PeerName, w: Workload, learningRate: number): (k: number) => number[] {
  return p === 'brain.js' ? brainSession(w, learningRate) : tfjsSession(w, learningRate);
}
