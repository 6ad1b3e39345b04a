/**
 * Built-in datasets that need no file. The planar ones are generated from their formulas with
 * the project's seeded generator (a fixed seed per dataset), so they are the same on every
 * machine and in every run; banknote is the real UCI dataset, shipped inside the bundle.
 */
import type { Matrix } from '../core/matrix';
import { type Rng, createRng } from '../core/rng';
import banknoteCsv from './banknote_authentication.csv';
import { type Dataset, parseDataset } from './csv';
import { DataError, listForMessage } from './errors';

export const SAMPLE_NAMES: readonly string[] = ['flower', 'moons', 'circles', 'xor', 'spiral', 'banknote'];

/** One line per sample, for help texts and pickers. */
export const SAMPLE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  flower: 'two classes on the petals of a planar flower, r = 4·sin(4t) (400 points, 2 features; the default)',
  moons: 'two interleaving half circles (400 points, 2 features)',
  circles: 'a small circle inside a large one (400 points, 2 features)',
  xor: 'class 1 where exactly one coordinate is positive (400 points, 2 features)',
  spiral: 'two intertwined spirals (400 points, 2 features)',
  banknote: 'banknote authentication, UCI (1372 banknotes, 4 wavelet features)',
};

const PER_CLASS = 200;

type Point = [number, number];

function planar(name: string, points: Point[], labels: number[]): Dataset {
  const m = points.length;
  const X: Matrix = { rows: 2, cols: m, data: new Float64Array(2 * m) };
  const Y: Matrix = { rows: 1, cols: m, data: Float64Array.from(labels) };
  points.forEach(([x1, x2], j) => {
    X.data[j] = x1;
    X.data[m + j] = x2;
  });
  return { name: `sample:${name}`, X, Y, featureNames: ['x1', 'x2'], labelName: 'y', labels: { '0': '0', '1': '1' }, labelMapped: false };
}

/** Evenly spaced: from, …, to (n values), as numpy's linspace. */
function linspace(from: number, to: number, n: number): number[] {
  return Array.from({ length: n }, (_, k) => from + ((to - from) * k) / (n - 1));
}

/**
 * The planar "flower": for class j, angles t = linspace(3.12·j, 3.12·(j+1)) + N(0, 0.2²) and radii
 * r = 4·sin(4t) + N(0, 0.2²), the point (r·sin t, r·cos t). Each class fills two opposite petals
 * of the four, which no straight line can separate.
 */
function flower(rng: Rng): Dataset {
  const points: Point[] = [];
  const labels: number[] = [];
  for (let j = 0; j < 2; j++) {
    const t = linspace(3.12 * j, 3.12 * (j + 1), PER_CLASS).map((v) => v + 0.2 * rng.normal());
    const r = t.map((v) => 4 * Math.sin(4 * v) + 0.2 * rng.normal());
    for (let k = 0; k < PER_CLASS; k++) {
      points.push([r[k]! * Math.sin(t[k]!), r[k]! * Math.cos(t[k]!)]);
      labels.push(j);
    }
  }
  return planar('flower', points, labels);
}

/** Upper half circle (cos t, sin t) for class 0, the lower one shifted, (1 − cos t, ½ − sin t), for 1. */
function moons(rng: Rng): Dataset {
  const points: Point[] = [];
  const labels: number[] = [];
  for (const t of linspace(0, Math.PI, PER_CLASS)) {
    points.push([Math.cos(t) + 0.1 * rng.normal(), Math.sin(t) + 0.1 * rng.normal()]);
    labels.push(0);
  }
  for (const t of linspace(0, Math.PI, PER_CLASS)) {
    points.push([1 - Math.cos(t) + 0.1 * rng.normal(), 0.5 - Math.sin(t) + 0.1 * rng.normal()]);
    labels.push(1);
  }
  return planar('moons', points, labels);
}

/** Radius 1 for class 0, radius ½ for class 1, at evenly spaced angles, with N(0, 0.08²) noise. */
function circles(rng: Rng): Dataset {
  const points: Point[] = [];
  const labels: number[] = [];
  for (const [radius, label] of [[1, 0], [0.5, 1]] as const) {
    for (let k = 0; k < PER_CLASS; k++) {
      const a = (2 * Math.PI * k) / PER_CLASS;
      points.push([radius * Math.cos(a) + 0.08 * rng.normal(), radius * Math.sin(a) + 0.08 * rng.normal()]);
      labels.push(label);
    }
  }
  return planar('circles', points, labels);
}

/** Uniform points in [−1, 1]²; class 1 where x1 and x2 have opposite signs. */
function xor(rng: Rng): Dataset {
  const points: Point[] = [];
  const labels: number[] = [];
  for (let k = 0; k < 2 * PER_CLASS; k++) {
    const p: Point = [2 * rng.uniform() - 1, 2 * rng.uniform() - 1];
    points.push(p);
    labels.push(p[0] * p[1] < 0 ? 1 : 0);
  }
  return planar('xor', points, labels);
}

/** Arm 0: r = 0.1 + 0.9·s at angle 3π·s for s in [0, 1]; arm 1 is arm 0 turned by π. Noise N(0, 0.03²). */
function spiral(rng: Rng): Dataset {
  const points: Point[] = [];
  const labels: number[] = [];
  for (let label = 0; label < 2; label++) {
    for (const s of linspace(0, 1, PER_CLASS)) {
      const r = 0.1 + 0.9 * s;
      const a = 3 * Math.PI * s + label * Math.PI;
      points.push([r * Math.cos(a) + 0.03 * rng.normal(), r * Math.sin(a) + 0.03 * rng.normal()]);
      labels.push(label);
    }
  }
  return planar('spiral', points, labels);
}

function banknote(): Dataset {
  // The UCI file has no header; the names are those of its description.
  const ds = parseDataset(`variance,skewness,curtosis,entropy,class\n${banknoteCsv}`, { fileName: 'sample:banknote' });
  return { ...ds, name: 'sample:banknote' };
}

const GENERATORS: Record<string, (rng: Rng) => Dataset> = { flower, moons, circles, xor, spiral, banknote };

/** A built-in dataset by name; DataError listing the names for an unknown one. */
export function loadSample(name: string): Dataset {
  const make = Object.prototype.hasOwnProperty.call(GENERATORS, name) ? GENERATORS[name] : undefined;
  if (make === undefined) {
    throw new DataError(
      `There is no built-in dataset ${JSON.stringify(name)}. The built-in datasets are ${listForMessage(SAMPLE_NAMES)}; ` +
        'write one as sample:NAME, e.g. sample:moons.',
      { file: `sample:${name}` },
    );
  }
  // One fixed seed per dataset: the data never depends on the training seed.
  return make(createRng(SAMPLE_NAMES.indexOf(name) + 1));
}
