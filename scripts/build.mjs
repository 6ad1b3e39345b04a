// One esbuild script for every entry point of the package, plus the compiled tests.
// Usage: node scripts/build.mjs [--watch] [--no-tests]
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, watch as watchFolder } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syncDir } from './syncDir.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const withTests = !process.argv.includes('--no-tests');
const at = (p) => join(root, p);

// WebAssembly text (the fast training kernels, src/core/fast/*.wat) is assembled here, offline, by
// wabt: once per number type and kind of multiply-add, substituting the text's {V} {S} {E} {2E} {3E}
// {B} and expanding its macros, ({NAME} operand …) with parenthesised operands:
//   ({MADD} a b c)  a·b + c: relaxed SIMD's fused ({V}.relaxed_madd a b c) or ({V}.add c ({V}.mul a b));
//   ({MADD64} a b c) the same in f64x2, whatever the number type;
//   ({LOAD2} p)     two numbers of the engine's type at p as an f64x2;
//   ({STORE2} p v)  the f64x2 v stored at p as two numbers of the engine's type.
// Importing a .wat file gives the four modules' bytes: { f64, f32 } with separate multiply and add,
// { f64Relaxed, f32Relaxed } fused.

/** The end (exclusive) of the parenthesised group that starts at text[at] === '('. */
function groupEnd(text, at) {
  for (let i = at, depth = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i + 1;
  }
  throw new Error(`unbalanced parentheses after offset ${at}`);
}

/**
 * Rewrites every ({NAME} operand …) outside ;; comments whose NAME is a key of `macros` by
 * macros[NAME](…operands); each macro takes a fixed number of parenthesised operands.
 */
function expandMacros(text, macros) {
  let out = '';
  let from = 0;
  const call = /\(\{([A-Z0-9]+)\} /g;
  for (let m = call.exec(text); m !== null; m = call.exec(text)) {
    const at = m.index;
    const expand = macros[m[1]];
    if (expand === undefined || text.slice(text.lastIndexOf('\n', at) + 1, at).includes(';;')) continue;
    const args = [];
    let i = at + m[0].length;
    for (let n = 0; n < expand.length; n++) {
      while (text[i] === ' ') i++;
      if (text[i] !== '(') throw new Error(`({${m[1]}} …) at offset ${at} takes ${expand.length} parenthesised operands`);
      const end = groupEnd(text, i);
      args.push(expandMacros(text.slice(i, end), macros));
      i = end;
    }
    if (text[i] !== ')') throw new Error(`({${m[1]}} …) at offset ${at} takes exactly ${expand.length} operands`);
    out += text.slice(from, at) + expand(...args);
    from = i + 1;
    call.lastIndex = from;
  }
  return out + text.slice(from);
}

const watPlugin = {
  name: 'wat',
  setup(build) {
    build.onLoad({ filter: /\.wat$/ }, async (args) => {
      const wabt = await (await import('wabt')).default();
      const text = readFileSync(args.path, 'utf8');
      const assemble = (S, V, E, relaxed) => {
        const typed = text.replaceAll('{V}', V).replaceAll('{S}', S).replaceAll('{E}', String(E)).replaceAll('{2E}', String(2 * E)).replaceAll('{3E}', String(3 * E)).replaceAll('{B}', String(8 * E));
        const source = expandMacros(typed, {
          MADD: relaxed ? (a, b, c) => `(${V}.relaxed_madd ${a} ${b} ${c})` : (a, b, c) => `(${V}.add ${c} (${V}.mul ${a} ${b}))`,
          MADD64: relaxed ? (a, b, c) => `(f64x2.relaxed_madd ${a} ${b} ${c})` : (a, b, c) => `(f64x2.add ${c} (f64x2.mul ${a} ${b}))`,
          LOAD2: S === 'f64' ? (p) => `(v128.load ${p})` : (p) => `(f64x2.promote_low_f32x4 (v128.load64_zero ${p}))`,
          STORE2: S === 'f64' ? (p, v) => `(v128.store ${p} ${v})` : (p, v) => `(v128.store64_lane 0 ${p} (f32x4.demote_f64x2_zero ${v}))`,
        });
        const features = { simd: true, threads: true, relaxed_simd: relaxed };
        const mod = wabt.parseWat(args.path, source, features);
        try {
          mod.validate(features);
          return Buffer.from(mod.toBinary({}).buffer).toString('base64');
        } finally {
          mod.destroy();
        }
      };
      const bytes = (b64) => `Uint8Array.from(atob(${JSON.stringify(b64)}), (c) => c.charCodeAt(0))`;
      const modules = { f64: ['f64', 'f64x2', 8, false], f32: ['f32', 'f32x4', 4, false], f64Relaxed: ['f64', 'f64x2', 8, true], f32Relaxed: ['f32', 'f32x4', 4, true] };
      const contents = Object.entries(modules).map(([name, how]) => `export const ${name} = ${bytes(assemble(...how))};\n`).join('');
      return { contents, loader: 'js' };
    });
  },
};

// `.csv` imports become strings: the built-in banknote dataset ships inside the bundles; so do
// `.py` imports, the Python code of the exported scripts.
const node = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'linked', logLevel: 'warning', plugins: [watPlugin], loader: { '.csv': 'text', '.py': 'text' } };

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  // The command line: `backprop-map …`
  { ...node, entryPoints: [at('src/cli/main.ts')], outfile: at('dist/cli.js'), banner: { js: '#!/usr/bin/env node' } },
  // The extension host: `vscode` is provided by the editor.
  { ...node, entryPoints: [at('src/extension/extension.ts')], outfile: at('dist/extension.js'), external: ['vscode'] },
  // The training worker thread started by the extension host.
  { ...node, entryPoints: [at('src/worker/trainWorker.ts')], outfile: at('dist/trainWorker.js') },
  // The backprop-map panel, a browser bundle (also inlined into the CLI's HTML report).
  { bundle: true, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: [at('src/webview/main.ts')], outfile: at('dist/webview/webview.js'), logLevel: 'warning', loader: { '.css': 'text' } },
];

// The benchmark (`npm run bench`): bench/*.ts → out/bench/*.js.
const benchEntries = existsSync(at('bench')) ? readdirSync(at('bench')).filter((f) => f.endsWith('.ts')).map((f) => at(`bench/${f}`)) : [];
if (benchEntries.length) builds.push({ ...node, entryPoints: benchEntries, outdir: at('out/bench'), external: ['playwright-core'] });

function listTests(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'fixtures' ? [] : listTests(p);
    return /\.ts$/.test(name) ? [p] : [];
  });
}

// Compiled tests whose source is gone are removed one by one; `out/` itself is never wiped, so a
// test run going on in another terminal keeps its files.
function pruneStaleTests(tests) {
  const wanted = new Set(tests.map((t) => relative(at('test'), t).replace(/\.ts$/, '.js')));
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (!wanted.has(relative(at('out/test'), p))) rmSync(p);
    }
  };
  walk(at('out/test'));
}

if (withTests) {
  const tests = listTests(at('test'));
  if (tests.length) {
    pruneStaleTests(tests);
    builds.push({ ...node, sourcemap: 'inline', entryPoints: tests, outdir: at('out/test'), outbase: at('test'), external: ['vscode', 'playwright-core', 'mocha'] });
  }
}

function copyAssets() {
  // KaTeX's stylesheet and its woff2 fonts, served to the webview from the extension's own folder.
  const katexDist = at('node_modules/katex/dist');
  const out = at('dist/webview/katex');
  mkdirSync(join(out, 'fonts'), { recursive: true });
  cpSync(join(katexDist, 'katex.min.css'), join(out, 'katex.min.css'));
  for (const f of readdirSync(join(katexDist, 'fonts'))) {
    if (f.endsWith('.woff2')) cpSync(join(katexDist, 'fonts', f), join(out, 'fonts', f));
  }
}

// The derivation checker's Python harness ships as it is: dist/checker/ holds exactly its files.
function copyChecker() {
  const { copied, removed } = syncDir(at('src/checker/python'), at('dist/checker'));
  return copied.length + removed.length > 0 ? `checker: ${[...copied.map((f) => `copied ${f}`), ...removed.map((f) => `removed ${f}`)].join(', ')}` : null;
}

copyAssets();
copyChecker();
if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
  // esbuild watches what the bundles import; the Python files are copied again when they change.
  let pending = null;
  watchFolder(at('src/checker/python'), { recursive: true }, () => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      const said = copyChecker();
      if (said) console.log(said);
    }, 50);
  });
  console.log('watching', builds.length, 'builds and the checker\'s Python files');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`built ${builds.length} bundles into ${relative(root, at('dist'))}/`);
}
