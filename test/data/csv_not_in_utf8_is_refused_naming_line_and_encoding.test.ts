import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadDatasetFile } from '../../src/data/csv';
import { DataError } from '../../src/data/errors';
import { firstInvalidUtf8, utf8Text } from '../../src/data/textFile';

const dir = mkdtempSync(join(tmpdir(), 'bpm-encoding-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function refusal(name: string, bytes: Buffer): Promise<DataError> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  try {
    await loadDatasetFile(path, {});
  } catch (e) {
    assert.ok(e instanceof DataError, String(e));
    return e;
  }
  assert.fail(`${name} was loaded`);
}

test('a Windows-1252 header is refused at its line, with the line as it reads in that encoding and how to save it', async () => {
  // "Größe;Gewicht;Klasse" as Excel's "CSV (Trennzeichen-getrennt)" writes it.
  const e = await refusal('excel.csv', Buffer.concat([Buffer.from('Gr'), Buffer.from([0xf6, 0xdf]), Buffer.from('e;Gewicht;Klasse\n1;2;ja\n2;1;nein\n')]));
  const path = join(dir, 'excel.csv');
  assert.equal(
    e.message,
    `${path}, line 1: the byte 0xF6 is not UTF-8, so the file is not UTF-8 text. It is probably saved as Windows-1252 or ` +
      'Latin-1 (what Excel calls "CSV (Comma delimited)" or "ANSI"), in which this line reads "Größe;Gewicht;Klasse". ' +
      'Save it as UTF-8 (Excel: "CSV UTF-8"; LibreOffice: character set "Unicode (UTF-8)") and try again.',
  );
  assert.equal(e.line, 1);
  assert.equal(e.file, path);
});

test('a label further down, after CR line ends, is found at its own line', async () => {
  const e = await refusal('labels.csv', Buffer.concat([Buffer.from('a,b,Klasse\r1,2,gut\r2,1,'), Buffer.from([0x80]), Buffer.from('\r')]));
  assert.equal(e.line, 3);
  assert.match(e.message, /in which this line reads "2,1,€"/);
});

test('UTF-8 names load as they are, and a sequence cut by the end of the file is refused', async () => {
  const path = join(dir, 'ok.csv');
  writeFileSync(path, 'Größe,€,y\n1,2,0\n2,1,1\n');
  assert.deepEqual((await loadDatasetFile(path, {})).featureNames, ['Größe', '€']);
  const cut = await refusal('cut.csv', Buffer.concat([Buffer.from('a,y\n1,0\n2,'), Buffer.from([0xe2, 0x82])]));
  assert.equal(cut.line, 3);
});

test('the start of a file may end inside a sequence, the whole file may not', () => {
  const start = Buffer.from('a,€', 'utf8').subarray(0, 4);
  assert.equal(utf8Text(start, 'head.csv', false), 'a,');
  assert.throws(() => utf8Text(start, 'whole.csv'), /whole\.csv, line 1: the byte 0xE2 is not UTF-8/);
});

test('firstInvalidUtf8 agrees with a strict decoder on overlong forms, surrogates and code points past U+10FFFF', () => {
  const cases: number[][] = [
    [0x41, 0xc3, 0xa4],
    [0xc0, 0x80],
    [0xc1, 0xbf],
    [0xe0, 0x80, 0x80],
    [0xe0, 0xa0, 0x80],
    [0xed, 0xa0, 0x80],
    [0xed, 0x9f, 0xbf],
    [0xf0, 0x8f, 0xbf, 0xbf],
    [0xf0, 0x90, 0x80, 0x80],
    [0xf4, 0x8f, 0xbf, 0xbf],
    [0xf4, 0x90, 0x80, 0x80],
    [0xf5, 0x80, 0x80, 0x80],
    [0xe2, 0x28, 0xa1],
    [0x80],
  ];
  for (const c of cases) {
    const bytes = Uint8Array.from([0x78, ...c, 0x78]);
    let valid = true;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      valid = false;
    }
    assert.equal(firstInvalidUtf8(bytes) < 0, valid, c.map((b) => b.toString(16)).join(' '));
    if (!valid) assert.equal(firstInvalidUtf8(bytes), 1, c.map((b) => b.toString(16)).join(' '));
  }
});
