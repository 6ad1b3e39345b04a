import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cli } from './cliRun';

const dir = mkdtempSync(join(tmpdir(), 'bpm-overwrite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, 'data.csv');
const text = 'a,b,y\n1,2,0\n2,1,1\n3,3,0\n0,1,1\n';
writeFileSync(data, text);
symlinkSync(data, join(dir, 'link.csv'));

test('--save or --report naming the data file (in any spelling, or through a link) is refused and the data stays', () => {
  for (const [option, target] of [
    ['--save', data],
    ['--save', join(dir, '.', 'data.csv')],
    ['--report', join(dir, 'link.csv')],
  ] as const) {
    const r = cli(['train', data, '--epochs', '1', option, target]);
    assert.equal(r.code, 2, `${option} ${target}`);
    assert.equal(r.stderr, `backprop-map: ${option} ${target}: that is the data file, which would be overwritten. Choose another file name.\nSee backprop-map train --help.\n`);
    assert.equal(r.stdout, '');
    assert.equal(readFileSync(data, 'utf8'), text);
  }
});

test('--init and --save may name one model file (continuing a run), but --report may not replace it', () => {
  const model = join(dir, 'model.json');
  assert.equal(cli(['train', data, '--epochs', '2', '--hidden', '2', '--save', model]).code, 0);
  const continued = cli(['train', data, '--init', model, '--epochs', '3', '--save', model]);
  assert.equal(continued.code, 0, continued.stderr);
  assert.equal(JSON.parse(readFileSync(model, 'utf8')).training.epochs, 5);
  const r = cli(['train', data, '--init', model, '--epochs', '1', '--report', model]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /that is the --init model file, which would be overwritten/);
  assert.equal(JSON.parse(readFileSync(model, 'utf8')).training.epochs, 5);
});

test('--save and --report naming one file is refused', () => {
  const out = join(dir, 'out.json');
  const r = cli(['train', data, '--epochs', '1', '--save', out, '--report', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^backprop-map: --save and --report name the same file, .*out\.json; the report would replace the model\. Choose two file names\.\n/);
});
