// `npm run package` builds the .vsix users install; its contents are read back from the zip: every
// file the extension loads at run time is inside, and nothing else (no sources, maps, tests or CLI).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageVsix, root, zipEntries } from './vsix';

test('the .vsix holds the bundles, the Python harness, KaTeX, the icon and the data, and nothing else', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bpm-vsix-'));
  try {
    const file = join(dir, 'backprop-map.vsix');
    packageVsix(file);
    const entries = zipEntries(file);
    const names = entries.map((e) => e.name).sort();
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; main: string; icon: string };
    const fonts = readdirSync(join(root, 'node_modules/katex/dist/fonts')).filter((f) => f.endsWith('.woff2'));
    const python = readdirSync(join(root, 'src/checker/python')).filter((f) => f.endsWith('.py'));
    assert.ok(fonts.length >= 20 && python.length >= 1);
    const expected = [
      '[Content_Types].xml',
      'extension.vsixmanifest',
      'extension/package.json',
      'extension/readme.md',
      'extension/changelog.md',
      'extension/LICENSE.txt',
      'extension/dist/extension.js',
      'extension/dist/trainWorker.js',
      ...python.map((f) => `extension/dist/checker/${f}`),
      'extension/dist/webview/webview.js',
      'extension/dist/webview/katex/katex.min.css',
      ...fonts.map((f) => `extension/dist/webview/katex/fonts/${f}`),
      'extension/media/icon.png',
      'extension/media/backprop-map.svg',
      'extension/media/panel.css',
    ].sort();
    assert.deepEqual(names, expected);

    const read = (name: string): Buffer => entries.find((e) => e.name === `extension/${name}`)!.read();
    // The manifest inside names files that are inside.
    const shipped = JSON.parse(read('package.json').toString('utf8')) as typeof pkg;
    assert.equal(shipped.version, pkg.version);
    assert.ok(names.includes(`extension/${shipped.main.replace(/^\.\//, '')}`), shipped.main);
    assert.ok(names.includes(`extension/${shipped.icon}`), shipped.icon);
    assert.deepEqual([...read(shipped.icon).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    // Every woff2 font the KaTeX stylesheet asks for.
    const css = read('dist/webview/katex/katex.min.css').toString('utf8');
    const wanted = [...css.matchAll(/url\((fonts\/[^)]+\.woff2)\)/g)].map((m) => m[1]!);
    assert.ok(wanted.length >= 20, `${wanted.length} woff2 fonts in the stylesheet`);
    for (const f of wanted) assert.ok(names.includes(`extension/dist/webview/katex/${f}`), f);
    // The worker carries the fast engine's WebAssembly (its bytes start with \0asm, "AGFzbQ" in
    // base64) and the built-in banknote dataset (its first data row).
    const worker = read('dist/trainWorker.js').toString('utf8');
    assert.ok(worker.includes('AGFzbQ'), 'no WebAssembly module in the worker bundle');
    const banknoteRow = readFileSync(join(root, 'src/data/banknote_authentication.csv'), 'utf8').split('\n')[1]!.trim();
    assert.ok(banknoteRow.length > 10 && worker.includes(banknoteRow), 'no banknote data in the worker bundle');
    // The Python harness is byte for byte the source's.
    for (const f of python) assert.ok(read(`dist/checker/${f}`).equals(readFileSync(join(root, 'src/checker/python', f))), f);
    t.diagnostic(`backprop-map-${pkg.version}.vsix: ${entries.length} files, ${(statSync(file).size / 1024).toFixed(0)} KiB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
