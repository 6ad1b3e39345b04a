// The command line reads a file's bytes as Python would: UTF-8, or the encoding of a PEP 263 coding
// line; anything else is a one-line error naming the line, not replacement characters that would
// surface as a baffling syntax error about U+FFFD.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSource } from '../../src/cli/checkedFile';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

test('UTF-8 text, with or without non-ASCII letters, decodes as is', () => {
  assert.deepEqual(decodeSource(bytes('# Rückwärtslauf\nδZ1 = 1\n')), { text: '# Rückwärtslauf\nδZ1 = 1\n' });
});

test('a Latin-1 byte without a coding line is an error naming its line', () => {
  const r = decodeSource(bytes('import numpy as np\ngr', [0xf6, 0xdf], 'e = 1\n'));
  assert.ok('error' in r);
  assert.match(r.error, /not UTF-8 text \(line 2 has a byte that is not\)/);
  assert.match(r.error, /coding: latin-1/);
});

test("a coding line in Python's spelling (latin-1, cp1252, iso8859_15) is followed", () => {
  for (const name of ['latin-1', 'cp1252', 'iso8859_15']) {
    const r = decodeSource(bytes(`# -*- coding: ${name} -*-\n# Gr`, [0xfc], 'n\n'));
    assert.deepEqual(r, { text: `# -*- coding: ${name} -*-\n# Grün\n` }, name);
  }
  const second = decodeSource(bytes('#!/usr/bin/env python3\n# vim: set fileencoding=latin-1 :\nx = "', [0xe9], '"\n'));
  assert.ok('text' in second && second.text.endsWith('x = "é"\n'));
});

test('an unknown encoding in the coding line is named', () => {
  const r = decodeSource(bytes('# coding: klingon\nx = 1\n'));
  assert.ok('error' in r);
  assert.match(r.error, /"klingon"/);
});
