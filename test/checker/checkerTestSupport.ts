// Shared by the checker tests: where the fixtures are, which Python to use, and `check` in-process.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseArgs } from '../../src/cli/args';
import { checkCommand } from '../../src/cli/check';

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

/** `backprop-map check ARGV` run in this process with the test's Python; its exit code and output. */
export async function runCheckCommand(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c) => (stdout += c));
  err.on('data', (c) => (stderr += c));
  const code = await checkCommand.run(parseArgs([...argv, '--python', testPython()], checkCommand.spec), { stdout: out, stderr: err, interrupt: new AbortController().signal });
  return { code, stdout, stderr };
}
