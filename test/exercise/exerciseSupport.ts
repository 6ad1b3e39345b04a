// Shared by the exercise tests: the learner's side (writing the terms in) and a check with --json.
import { PassThrough } from 'node:stream';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../../src/cli/args';
import { checkCommand } from '../../src/cli/check';
import type { CheckResult } from '../../src/checker/types';
import { testPython } from '../checker/checkerTestSupport';

const TODO = /^(\s*)(d[AZWb])(\d+) = \.\.\.(.*)$/;

/** The notes' formula of a term, as a learner writes it (L: the output layer). */
function formula(kind: string, l: number, L: number): string {
  const input = l === 1 ? 'X' : `A${l - 1}`;
  switch (kind) {
    case 'dZ':
      return l === L ? `A${L} - Y` : `dA${l} * (Z${l} > 0)`;
    case 'dW':
      return `1 / m * np.dot(dZ${l}, ${input}.T)`;
    case 'db':
      return `1 / m * np.sum(dZ${l}, axis=1, keepdims=True)`;
    default:
      return `np.dot(W${l + 1}.T, dZ${l + 1})`;
  }
}

/** The names of the terms left as `...`, in the order of the file. */
export function todoTerms(text: string): string[] {
  return text.split('\n').flatMap((line) => {
    const mt = TODO.exec(line);
    return mt ? [`${mt[2]}${mt[3]}`] : [];
  });
}

/** The exercise with the terms `fill` accepts written in (every term when absent). */
export function fillIn(text: string, L: number, fill: (term: string) => boolean = () => true): string {
  return text
    .split('\n')
    .map((line) => {
      const mt = TODO.exec(line);
      if (!mt || !fill(`${mt[2]}${mt[3]}`)) return line;
      return `${mt[1]}${mt[2]}${mt[3]} = ${formula(mt[2]!, Number(mt[3]), L)}${mt[4]}`;
    })
    .join('\n');
}

/** `backprop-map check --json` on the text as a .py file: the exit code and the result. */
export async function checkText(text: string): Promise<{ code: number; result: CheckResult }> {
  const dir = mkdtempSync(join(tmpdir(), 'bpm-exercise-'));
  try {
    const file = join(dir, 'exercise.py');
    writeFileSync(file, text);
    const out = new PassThrough();
    let stdout = '';
    out.on('data', (c) => (stdout += c));
    const code = await checkCommand.run(parseArgs([file, '--json', '--python', testPython()], checkCommand.spec), {
      stdout: out,
      stderr: new PassThrough(),
      interrupt: new AbortController().signal,
    });
    return { code, result: JSON.parse(stdout) as CheckResult };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
