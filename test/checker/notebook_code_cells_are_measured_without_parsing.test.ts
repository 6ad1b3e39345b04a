// codeSourceBytes: the bytes the code cells' sources take in a notebook's JSON, found by a scan that
// makes no string of them (a 40 MB cell is refused without parsing it). It must count exactly what
// JSON.parse would see as code-cell source — escapes, lists of lines, any key order, a key given twice
// (the last wins) — and give null for what is not a notebook's JSON object.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeSourceBytes } from '../../src/checker/notebook';

/** The bytes of a string's JSON form between its quotes. */
const escaped = (s: string) => Buffer.byteLength(JSON.stringify(s)) - 2;
const scan = (text: string) => codeSourceBytes(Buffer.from(text));

test('sources with escapes, quotes, backslashes and non-ASCII text, as a string or a list of lines', () => {
  const a = 'print("a \\"quoted\\" word")\\n\tpath = "C:\\\\x\\\\"\n';
  const b = ['def f(x):\n', '    return x  # Größe 🌸 \u2028\n'];
  const nb = {
    nbformat: 4,
    metadata: { kernel: { name: '"cells"' } },
    cells: [
      { cell_type: 'code', source: a, outputs: [{ text: ['"', '\\', '{[', ']}'] }] },
      { source: b, metadata: {}, cell_type: 'code' },
      { cell_type: 'markdown', source: 'x'.repeat(1000) },
      { cell_type: 'raw', source: ['y'] },
    ],
  };
  for (const text of [JSON.stringify(nb), JSON.stringify(nb, null, 1), `\ufeff${JSON.stringify(nb, null, '\t')}`]) {
    assert.equal(scan(text), escaped(a) + b.map(escaped).reduce((x, y) => x + y, 0));
  }
});

test('a key given twice counts with its last value, as JSON.parse reads it', () => {
  assert.equal(scan('{"cells": [{"cell_type": "code", "source": "aaaa", "source": "b"}]}'), 1);
  assert.equal(scan('{"cells": [{"cell_type": "code", "source": "aaaa", "cell_type": "markdown"}]}'), 0);
  assert.equal(scan('{"cells": [{"cell_type": "code", "source": "aaaa"}], "cells": []}'), 0);
});

test('what is not a notebook object gives null (JSON.parse then says why)', () => {
  for (const text of ['', '[]', '{"cells": [', '{"cells": [{"cell_type": "code", "source": "x}]}', 'null', '{"cells" 1}']) {
    assert.equal(scan(text), null, text);
  }
  assert.equal(scan('{}'), 0);
  assert.equal(scan('{"cells": [1, "x", null, {"source": 5, "cell_type": "code"}]}'), 0);
});
