// Column names, label values and the file name come from the user's file: whatever they hold, every
// file the command line writes (predict's CSV, the model, --json, the HTML report and the history
// exports it offers) must be well-formed and give back exactly the original strings.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type Dataset, parseDataset } from '../../src/data/csv';
import { historyCsv, historyJson } from '../../src/data/history';
import type { EpochPoint, RunInfo, RunResult } from '../../src/core/types';
import type { ToPanel } from '../../src/protocol';
import { HOSTILE, readRfc4180, undefused } from '../data/rfc4180';
import { cli, jsonLines } from './cliRun';

const dir = mkdtempSync(join(tmpdir(), 'bpm-hostile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const FILE_NAME = '<img src=x onerror=alert(1)> & "q" =cmd.csv';
const LABEL_NAME = '=label,"</td>"\nnext';
// Every non-empty hostile string is a label value once (an empty label is a data error); a plain
// number written as text is one too, to show that it stays as it is.
const VALUES = [...HOSTILE.filter((s) => s !== ''), '-0.5'];
const PAIRS = Array.from({ length: Math.ceil(VALUES.length / 2) }, (_, k) => [VALUES[2 * k]!, VALUES[(2 * k + 1) % VALUES.length]!] as const);

const quoted = (s: string): string => `"${s.replaceAll('"', '""')}"`;

interface Trained {
  pair: readonly [string, string];
  data: string;
  model: string;
  report: string;
  done: Record<string, unknown>;
  /** The file as the project's reader reads it (it trims names and values and names an empty column colN): what every export must give back. */
  read: Dataset;
}

function train(pair: readonly [string, string], k: number): Trained {
  const folder = mkdtempSync(join(dir, `run${k}-`));
  const data = join(folder, FILE_NAME);
  const rows = Array.from({ length: 6 }, (_, j) => [...HOSTILE.map((_, f) => String(((j + 1) * (f + 3)) % 7)), quoted(pair[j % 2]!)].join(','));
  const text = `${[...HOSTILE, LABEL_NAME].map(quoted).join(',')}\n${rows.join('\n')}\n`;
  writeFileSync(data, text);
  const model = join(folder, 'model.json');
  const report = join(folder, 'run.html');
  const r = cli(['train', data, '--epochs', '3', '--hidden', '2', '--val', '0', '--save', model, '--report', report, '--report-lang', 'en', '--json']);
  assert.equal(r.code, 0, r.stderr);
  return { pair, data, model, report, done: jsonLines(r.stdout).at(-1)!, read: parseDataset(text, { fileName: FILE_NAME }) };
}

const runs = PAIRS.map(train);

/** The labels of a run as the file maps them: both values of the pair, each once. */
function labelsOf(run: Trained): { '0': string; '1': string } {
  const labels = run.read.labels;
  assert.deepEqual([labels['0'], labels['1']].sort(), run.pair.map((s) => s.trim()).sort());
  return labels;
}

test('the hostile strings reach the exports: the reader keeps every one that has no edge spaces', () => {
  for (const run of runs) {
    for (const s of HOSTILE) if (s !== '' && s === s.trim()) assert.ok(run.read.featureNames.includes(s), JSON.stringify(s));
    assert.equal(run.read.labelName, LABEL_NAME);
  }
});

test('train --json and the model file hold the names and labels exactly', () => {
  for (const run of runs) {
    const labels = labelsOf(run);
    assert.deepEqual(run.done['labels'], labels);
    assert.deepEqual(run.done['featureNames'], run.read.featureNames);
    assert.equal(run.done['labelName'], run.read.labelName);
    assert.equal(run.done['dataset'], FILE_NAME);
    const model = JSON.parse(readFileSync(run.model, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(model['featureNames'], run.read.featureNames);
    assert.equal(model['labelName'], run.read.labelName);
    assert.deepEqual(model['labels'], labels);
  }
});

test('predict writes well-formed CSV whose label fields give back the original values, formulas defused', () => {
  for (const run of runs) {
    const labels = labelsOf(run);
    const r = cli(['predict', run.model, run.data]);
    assert.equal(r.code, 0, r.stderr);
    const records = readRfc4180(r.stdout);
    assert.deepEqual(records[0], ['probability', 'class', 'label']);
    assert.equal(records.length, 7);
    for (const [p, cls, label] of records.slice(1) as [string, string, string][]) {
      assert.ok(Number(p) > 0 && Number(p) < 1, p);
      assert.ok(cls === '0' || cls === '1', cls);
      const value = labels[cls];
      assert.equal(undefused(label), value);
      // Nothing a spreadsheet would run: text starting like a formula is behind an apostrophe, a number is as it is.
      if (/^[=+\-@\t\r']/.test(value) && value !== '-0.5') assert.equal(label, `'${value}`);
      else assert.equal(label, value);
    }
  }
});

/** The JSON data block of a report, with the check that nothing in it can end or confuse the block. */
function reportData(html: string): ToPanel[] {
  const open = '<script type="application/json" id="backprop-map-report">';
  const start = html.indexOf(open);
  assert.ok(start >= 0);
  const block = html.slice(start + open.length, html.indexOf('</script>', start));
  assert.ok(!block.includes('<'), 'no "<" inside the data block');
  return JSON.parse(block) as ToPanel[];
}

const decodeEntities = (s: string): string => s.replace(/&(lt|gt|quot|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', amp: '&' })[e]!);

test('the HTML report: the run in its data block exactly, no markup from the file anywhere, the title escaped', () => {
  for (const run of runs) {
    const html = readFileSync(run.report, 'utf8');
    const info = (reportData(html).find((m) => m.type === 'run') as { info: RunInfo }).info;
    assert.deepEqual(info.featureNames, run.read.featureNames);
    assert.equal(info.labelName, run.read.labelName);
    assert.deepEqual(info.labels, labelsOf(run));
    assert.equal(info.datasetName, FILE_NAME);

    // Nothing of the file stands in the page as markup: with the raw text of its style and script
    // elements taken out (they end at the first "</style" or "</script", as a browser reads them),
    // the tags are exactly the page's own, and the title reads back as the file name.
    const outside = html.replace(/(<(script|style)\b[^>]*>)[\s\S]*?(<\/\2>)/gi, '$1$3');
    const tags = [...outside.matchAll(/<\/?([!A-Za-z][^\s>/]*)/g)].map((m) => m[0]);
    assert.deepEqual(tags, [
      '<!DOCTYPE', '<html', '<head', '<meta', '<meta', '<meta', '<title', '</title', '<style', '</style', '<style', '</style',
      '</head', '<body', '<div', '</div', '<script', '</script', '<script', '</script', '</body', '</html',
    ]);
    const title = /<title>([^<]*)<\/title>/.exec(outside)![1]!;
    assert.equal(decodeEntities(title), `Backprop Map report · ${FILE_NAME}`);
    for (const s of [...HOSTILE, FILE_NAME, LABEL_NAME]) {
      if (/[<>&]/.test(s)) assert.ok(!html.includes(s), `${JSON.stringify(s)} appears unescaped in the report`);
    }
  }
});

test('the report\'s history exports (CSV and JSON) are well-formed and give back the run exactly', () => {
  for (const run of runs) {
    const messages = reportData(readFileSync(run.report, 'utf8'));
    const info = (messages.find((m) => m.type === 'run') as { info: RunInfo }).info;
    const points = (messages.find((m) => m.type === 'epochs') as { points: EpochPoint[] }).points;
    const result = (messages.find((m) => m.type === 'finished') as { result: RunResult }).result;

    const back = JSON.parse(historyJson(info, points, result)) as { run: RunInfo; epochs: EpochPoint[] };
    assert.deepEqual(back.run.featureNames, run.read.featureNames);
    assert.equal(back.run.labelName, run.read.labelName);
    assert.deepEqual(back.run.labels, labelsOf(run));
    assert.equal(back.run.datasetName, FILE_NAME);
    assert.deepEqual(back.epochs, points);

    const records = readRfc4180(historyCsv(points, info.layerDims.length - 1));
    assert.deepEqual(records[0], ['epoch', 'cost', 'validation_cost', 'accuracy', 'validation_accuracy', 'norm_dW1', 'norm_dW2']);
    assert.deepEqual(records.slice(1).map((r) => Number(r[0])), [1, 2, 3]);
    for (const r of records.slice(1)) assert.ok(r.length === 7 && r.every((f) => f === '' || Number.isFinite(Number(f))), r.join('|'));
  }
});
