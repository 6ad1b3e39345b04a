import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cli, cliInterrupted, jsonLines } from './cliRun';

const dir = mkdtempSync(join(tmpdir(), 'bpm-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('gradcheck: the relative difference per parameter, exit 0 at most 1e-7', () => {
  const r = cli(['gradcheck']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^Gradient check on sample:flower \(400 examples\), network \[2, 16, 8, 1\], ε = 1e-7\n/);
  for (const name of ['W1', 'b1', 'W2', 'b2', 'W3', 'b3']) assert.match(r.stdout, new RegExp(`\\n${name}\\s+\\(\\d+ × \\d+\\)\\s+\\d\\.\\d\\de-\\d+\\n`));
  assert.match(r.stdout, /\nPassed: the overall relative difference is at most 1e-7\.\n$/);

  const json = JSON.parse(cli(['gradcheck', 'sample:banknote', '--hidden', '3', '--examples', '100', '--json']).stdout) as Record<string, unknown>;
  assert.equal(json['passed'], true);
  assert.ok((json['relDifference'] as number) <= 1e-7);
  assert.equal(json['examples'], 100);
  assert.deepEqual(json['layerDims'], [4, 3, 1]);
  assert.deepEqual((json['perParameter'] as { name: string }[]).map((p) => p.name), ['W1', 'b1', 'W2', 'b2']);
});

test('gradcheck: a coarse ε gives a difference above 1e-7, exit 1', () => {
  // Central differences err by O(ε²): with ε = 0.5 the curvature of the cost shows.
  const r = cli(['gradcheck', '--epsilon', '0.5']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /\nFailed: the overall relative difference \d\.\d\de-\d+ is above 1e-7\.\n$/);
});

test('Ctrl-C stops between epochs, prints the metrics so far, saves the model, exit 130', async () => {
  const modelFile = join(dir, 'stopped.json');
  const r = await cliInterrupted(['train', '--epochs', '10000000', '--json', '--save', modelFile], (out) => out.includes('"epoch":'));
  assert.equal(r.code, 130, r.stderr);
  const lines = jsonLines(r.stdout);
  const done = lines.at(-1)!;
  assert.equal(done['done'], true);
  assert.equal(done['reason'], 'cancelled');
  const epochs = done['epochs'] as number;
  assert.ok(epochs >= 1 && epochs < 10_000_000);
  // The last epoch run is among the lines, even between the throttled ones.
  assert.equal(lines.at(-2)!['epoch'], epochs);
  assert.ok(Number.isFinite((done['train'] as { cost: number }).cost));
  const model = JSON.parse(readFileSync(modelFile, 'utf8')) as { training: { epochs: number } };
  assert.equal(model.training.epochs, epochs);

  const human = await cliInterrupted(['train', '--epochs', '10000000'], (out) => out.includes('Network'));
  assert.equal(human.code, 130);
  assert.match(human.stdout, /\nStopped with Ctrl-C after epoch \d+ \(\d+ epochs of this run\); the metrics so far:\n\n.*cost.*\ntraining .*\nvalidation .*\n$/s);
  assert.match(human.stderr, /^Stopping after this epoch … \(press Ctrl-C again to quit at once\)\n$/);
});

test('a diverging run: the advice on stderr, no model written, exit 1', () => {
  // A learning rate far too large (huge features are refused before training instead).
  const plain = join(dir, 'plain.csv');
  writeFileSync(plain, 'a,b,y\n1,2,0\n-1,3,1\n2,-1,0\n-3,1,1\n');
  const modelFile = join(dir, 'diverged.json');
  const r = cli(['train', plain, '--no-standardize', '--val', '0', '--epochs', '50', '--lr', '1e6', '--save', modelFile, '--json']);
  assert.equal(r.code, 1);
  const done = jsonLines(r.stdout).at(-1)!;
  assert.equal(done['reason'], 'diverged');
  assert.match(done['message'] as string, /smaller learning rate/);
  assert.equal(done['saved'], null);
  assert.match(r.stderr, /^Training diverged in epoch \d+: .* The model was not saved to .*diverged\.json\.\n$/);
  assert.equal(existsSync(modelFile), false);
});
