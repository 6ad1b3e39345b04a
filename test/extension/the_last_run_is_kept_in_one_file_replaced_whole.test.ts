// The last run between extension hosts: one file, each save replacing it whole and in order; a file
// this version cannot show is ignored with a warning.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LastRunStore } from '../../src/extension/lastRunStore';

const dir = mkdtempSync(join(tmpdir(), 'bpm-last-run-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('saves land in order, the last one wins, and no partial file is left behind', async () => {
  const warnings: string[] = [];
  const store = new LastRunStore(join(dir, 'storage', 'last-run.json'), { warn: (m) => warnings.push(m) });
  assert.equal(await store.read(), null);
  store.save({ kind: 'running', datasetName: 'first.csv' });
  store.save({ kind: 'running', datasetName: 'second.csv' });
  await store.saved();
  assert.deepEqual(await store.read(), { kind: 'running', datasetName: 'second.csv' });
  assert.equal(existsSync(`${store.file}.partial`), false);
  assert.deepEqual(warnings, []);
});

test('a damaged file is not a run: ignored, with a warning', async () => {
  const warnings: string[] = [];
  const file = join(dir, 'damaged.json');
  writeFileSync(file, '{"format": "backprop-map-last-run", "version": 1, "kind": "fini');
  assert.equal(await new LastRunStore(file, { warn: (m) => warnings.push(m) }).read(), null);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /not a run this version can show/);
});
