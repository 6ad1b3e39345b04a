import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cli } from './cliRun';

const dir = mkdtempSync(join(tmpdir(), 'bpm-huge-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a column reaching -1e308 trains, saves a scaling without null and predicts from the saved model', () => {
  const data = join(dir, 'huge.csv');
  writeFileSync(data, 'a,b,y\n1e308,1,0\n-1e308,2,1\n1.5e308,3,0\n-1.7e308,4,1\n2e307,5,0\n-3e307,6,1\n');
  const model = join(dir, 'model.json');
  const r = cli(['train', data, '--epochs', '20', '--hidden', '2', '--save', model]);
  assert.equal(r.code, 0, r.stderr);
  const saved = JSON.parse(readFileSync(model, 'utf8'));
  assert.ok(saved.scaling.std.every(Number.isFinite), JSON.stringify(saved.scaling));
  const p = cli(['predict', model, data]);
  assert.equal(p.code, 0, p.stderr);
  assert.equal(p.stdout.trim().split('\n').length, 7);
});

test('with --no-standardize, huge values are reported as the data\'s problem with exit 2', () => {
  const data = join(dir, 'raw.csv');
  writeFileSync(data, 'a,b,y\n1,1e200,0\n2,-3e200,1\n3,2e200,0\n4,1,1\n');
  const r = cli(['train', data, '--epochs', '5', '--no-standardize']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^backprop-map: raw\.csv: the feature "b" ranges from -3e\+200 to 2e\+200\. .*leave out --no-standardize.*\n$/);
  assert.doesNotMatch(r.stderr, /smaller learning rate/);
});
