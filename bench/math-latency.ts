/**
 * `npm run bench:math [-- FILE.md] [--runs N]`: how long the math check of a Markdown file takes.
 * Cold: the whole `backprop-map check FILE.md` process (node start, load, check), as from a shell.
 * Warm: re-checking the text after an edit in a process that has checked it before, as the editor
 * does on each change (the edit: one character typed into the prose, a different place each time).
 * Prints medians and the machine's load; not a test. Default FILE: the German derivation fixture.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { checkMarkdown } from '../src/derivations/check';
import { median } from './lib/timing';

const root = process.cwd();
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const runs = Number(option('--runs') ?? 30);
const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs') ?? join(root, 'test/fixtures/derivations/herleitung_sigmoid_kreuzentropie.md');
const text = readFileSync(file, 'utf8');
const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;

console.log(`${file}: ${text.length} characters; ${cpus().length} CPUs, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

const cold: number[] = [];
let summary = '';
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'check', file, '--lang', 'en'], { encoding: 'utf8' });
  cold.push(performance.now() - t0);
  summary = r.stdout.trim().split('\n').at(-1) ?? '';
}
console.log(`cold: backprop-map check FILE (a new process each time): median ${fmt(median(cold))} of ${cold.length} (${cold.map(fmt).join(', ')})`);
console.log(`  ${summary}`);

// Where an edit goes: after each newline that starts prose (not math), in turn.
const places = [...text.matchAll(/\n(?=[A-Za-zÄÖÜäöü#])/g)].map((m) => m.index! + 1);
const edited = (k: number): string => {
  const at = places[k % places.length] ?? text.length;
  return `${text.slice(0, at)}x${text.slice(at)}`;
};
checkMarkdown(text);
const wall: number[] = [];
const cpu: number[] = [];
for (let k = 0; k < runs; k++) {
  const next = edited(k);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  checkMarkdown(next);
  wall.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
}
console.log(`warm: re-check after an edit: median ${fmt(median(wall))} wall, ${fmt(median(cpu))} CPU, of ${runs} (min ${fmt(Math.min(...wall))}, max ${fmt(Math.max(...wall))})`);
