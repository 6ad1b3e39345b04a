// Shared by the checker tests: where the fixtures are and which Python to use.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root (the compiled tests live in out/test/…). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'test', 'fixtures'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

export const fixturesDir = (): string => join(repoRoot(), 'test', 'fixtures', 'checker');
export const fixture = (name: string): string => readFileSync(join(fixturesDir(), name), 'utf8');
export const testPython = (): string => process.env.BACKPROP_MAP_PYTHON || 'python3';
