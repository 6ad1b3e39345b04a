/** The benchmark's four workloads: the notes' network at four sizes, with data made here. */
import type { Matrix } from '../../src/core/matrix';
import { zeros } from '../../src/core/matrix';
import { type Parameters, initParameters } from '../../src/core/network';
import { createRng } from '../../src/core/rng';
import { loadSample } from '../../src/data/samples';

export interface Workload {
  id: string;
  title: string;
  dims: number[];
  X: Matrix;
  Y: Matrix;
  /** The core's initial parameters, initParameters(dims, 1): the numpy reference starts from them too. */
  params: Parameters;
}

/**
 * Standard normal features and labels from a fixed random two-layer "teacher" network, so that
 * the classes are learnable and balanced-ish; the same seed gives the same data everywhere.
 */
function synthetic(nx: number, m: number, seed: number): { X: Matrix; Y: Matrix } {
  const rng = createRng(seed);
  const X = zeros(nx, m);
  for (let i = 0; i < X.data.length; i++) X.data[i] = rng.normal();
  const hidden = 8;
  const V = Array.from({ length: hidden * nx }, () => rng.normal());
  const u = Array.from({ length: hidden }, () => rng.normal());
  const Y = zeros(1, m);
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let h = 0; h < hidden; h++) {
      let z = 0;
      for (let i = 0; i < nx; i++) z += V[h * nx + i]! * X.data[i * m + j]!;
      s += u[h]! * Math.tanh(z);
    }
    Y.data[j] = s > 0 ? 1 : 0;
  }
  return { X, Y };
}

function workload(id: string, title: string, dims: number[], data: { X: Matrix; Y: Matrix }): Workload {
  return { id, title, dims, ...data, params: initParameters(dims, 1) };
}

export function workloads(): Workload[] {
  const flower = loadSample('flower');
  return [
    workload('W1', '4→3→1, m = 7 (the notes)', [4, 3, 1], synthetic(4, 7, 11)),
    workload('W2', '2→4→1, m = 400 (flower)', [2, 4, 1], { X: flower.X, Y: flower.Y }),
    workload('W3', '30→16→1, m = 569 (breast-cancer size)', [30, 16, 1], synthetic(30, 569, 13)),
    workload('W4', '64→128→64→1, m = 50,000', [64, 128, 64, 1], synthetic(64, 50_000, 17)),
  ];
}

/** W3's network (30→16→1) and kind of data at m examples: the cost-growth table's workloads. */
export function growthWorkload(m: number): Workload {
  return workload(`W3 m=${m}`, `30→16→1, m = ${m.toLocaleString('en')}`, [30, 16, 1], synthetic(30, m, 13));
}

/** 2·Σ n_in·n_out·m·3: the multiply-adds of the forward product and the two backward ones. */
export function flopsPerEpoch(w: Workload): number {
  let s = 0;
  for (let l = 1; l < w.dims.length; l++) s += w.dims[l]! * w.dims[l - 1]!;
  return 2 * s * w.X.cols * 3;
}
