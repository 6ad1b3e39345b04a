import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataError } from '../../src/data/errors';
import { loadSource, parseSourceArgument } from '../../src/data/source';

test('a DataSource: a file on disk, the unsaved text of an editor, a built-in sample', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpm-source-'));
  try {
    const path = join(dir, 'two.csv');
    writeFileSync(path, 'a,b,label\n1,2,x\n3,4,y\n');
    const fromDisk = await loadSource({ kind: 'file', path, label: null });
    assert.equal(fromDisk.name, 'two.csv');
    assert.deepEqual(Array.from(fromDisk.X.data), [1, 3, 2, 4]);
    // The editor's unsaved text wins over the file's content; the label is chosen by name.
    const unsaved = await loadSource({ kind: 'file', path, text: 'a,b,label\n5,6,0\n7,8,1\n', label: 'a' });
    assert.deepEqual(unsaved.featureNames, ['b', 'label']);
    assert.deepEqual(Array.from(unsaved.X.data), [6, 8, 0, 1]);
    assert.equal(unsaved.labelName, 'a');
    assert.deepEqual(unsaved.labels, { '0': '5', '1': '7' });
    assert.equal(unsaved.name, 'two.csv');
    const sample = await loadSource({ kind: 'sample', name: 'moons' });
    assert.equal(sample.name, 'sample:moons');
    await assert.rejects(loadSource({ kind: 'file', path: join(dir, 'gone.csv'), label: null }), DataError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the command line\'s data argument: nothing is sample:flower, sample:NAME a sample, else a path', () => {
  assert.deepEqual(parseSourceArgument(undefined, null), { kind: 'sample', name: 'flower' });
  assert.deepEqual(parseSourceArgument('sample:xor', null), { kind: 'sample', name: 'xor' });
  assert.deepEqual(parseSourceArgument('data/x.csv', 'y'), { kind: 'file', path: 'data/x.csv', label: 'y' });
});
