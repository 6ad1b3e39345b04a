// Keeps a copy of a folder's files up to date: copies every file of `from` whose bytes differ in
// `to`, and removes from `to` the files whose source is gone (Python's __pycache__ is left alone).
// The build copies the checker's Python harness this way, once, and again on every change in --watch.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Returns what changed: the files copied and the files removed (names relative to the folders). */
export function syncDir(from, to) {
  const copied = [];
  const removed = [];
  const walk = (rel) => {
    const src = join(from, rel);
    const dst = join(to, rel);
    mkdirSync(dst, { recursive: true });
    const names = new Set(readdirSync(src));
    for (const name of names) {
      const r = join(rel, name);
      if (statSync(join(src, name)).isDirectory()) walk(r);
      else if (!existsSync(join(dst, name)) || !readFileSync(join(src, name)).equals(readFileSync(join(dst, name)))) {
        copyFileSync(join(src, name), join(dst, name));
        copied.push(r);
      }
    }
    for (const name of readdirSync(dst)) {
      if (names.has(name) || name === '__pycache__') continue;
      rmSync(join(dst, name), { recursive: true, force: true });
      removed.push(join(rel, name));
    }
  };
  walk('');
  return { copied, removed };
}
