import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, parse } from 'node:path';

/** No usable Python 3 with numpy; the message says what to do. */
export class PythonSetupError extends Error {
  readonly kind: 'no-python' | 'no-numpy' | 'bad-python';
  constructor(kind: 'no-python' | 'no-numpy' | 'bad-python', message: string) {
    super(message);
    this.name = 'PythonSetupError';
    this.kind = kind;
  }
}

// `-c` puts the current folder first on sys.path, where a numpy.py (or any module) beside the
// user's files would run unsandboxed: the probe drops it before importing anything that is not
// built in, and runs in an empty folder of its own besides.
const PROBE = "import sys; sys.path[:] = [p for p in sys.path if p not in ('', '.')]; print(sys.version.split()[0]); import numpy; print(numpy.__version__)";
const SETTING = 'the "backpropMap.checker.pythonPath" setting (or --python PATH on the command line)';

interface Probe {
  ok: boolean;
  notFound: boolean;
  version: string | null;
  numpy: string | null;
  detail: string;
}

/**
 * The environment of every Python this program starts: the user's (PYTHONPATH, PYTHONHOME and the
 * user site-packages may be where their numpy lives), without what would make it interactive, and
 * with UTF-8, unbuffered output and no bytecode files.
 */
export function pythonEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8', PYTHONUNBUFFERED: '1' };
  delete env.PYTHONINSPECT;
  delete env.PYTHONSTARTUP;
  return env;
}

function probe(path: string): Promise<Probe> {
  // An empty folder of its own, so that nothing of the user's folders (a numpy.py, a
  // sitecustomize.py reached through a relative PYTHONPATH entry, a pyenv `.python-version`)
  // comes into play; the file system's root where the temp folder cannot be written.
  let own: string | null = null;
  try {
    own = mkdtempSync(join(tmpdir(), 'backprop-map-probe-'));
  } catch {
    // The root it is.
  }
  return new Promise((resolve) => {
    execFile(path, ['-c', PROBE], { cwd: own ?? parse(process.cwd()).root, env: pythonEnv(), timeout: 15000, windowsHide: true }, (err, stdout, stderr) => {
      if (own) rmSync(own, { recursive: true, force: true });
      const lines = String(stdout).trim().split('\n').filter(Boolean);
      const code = (err as NodeJS.ErrnoException | null)?.code;
      resolve({
        ok: !err && lines.length >= 2,
        notFound: code === 'ENOENT' || code === 'EACCES',
        version: /^\d+\.\d+/.test(lines[0] ?? '') ? lines[0] : null,
        numpy: lines[1] ?? null,
        detail: String(stderr).trim().split('\n').pop() ?? '',
      });
    });
  });
}

function installAdvice(path: string): string {
  return `Install it with \`${path} -m pip install numpy\` (or, on Debian/Ubuntu, \`sudo apt install python3-numpy\`), or point ${SETTING} at a Python that has numpy.`;
}

/**
 * Finds a Python 3 with numpy: `preferred` (a setting or option) when given, else `python3`, else
 * `python`. Rejects with a PythonSetupError that says what to do.
 */
export async function findPython(preferred?: string | null): Promise<{ path: string; version: string }> {
  const candidates = preferred ? [preferred] : ['python3', 'python'];
  let withoutNumpy: { path: string; version: string } | null = null;
  let tooOld: { path: string; version: string } | null = null;
  for (const path of candidates) {
    const p = await probe(path);
    if (p.notFound || p.version === null) {
      if (preferred) {
        throw new PythonSetupError(
          'bad-python',
          p.notFound
            ? `The Python "${preferred}" does not exist or cannot be run. Fix ${SETTING}, or clear it to use python3 from the PATH.`
            : `"${preferred}" is not a working Python 3 (${p.detail || 'it printed no version'}). Fix ${SETTING}.`,
        );
      }
      continue;
    }
    const [major, minor] = p.version.split('.').map(Number);
    if (major < 3 || (major === 3 && minor < 8)) {
      tooOld ??= { path, version: p.version };
      continue;
    }
    if (!p.ok) {
      withoutNumpy ??= { path, version: p.version };
      continue;
    }
    return { path, version: p.version };
  }
  if (withoutNumpy) {
    throw new PythonSetupError(
      'no-numpy',
      `The derivation checker needs numpy, but ${withoutNumpy.path} (Python ${withoutNumpy.version}) has none. ${installAdvice(withoutNumpy.path)}`,
    );
  }
  if (tooOld) {
    throw new PythonSetupError(
      'bad-python',
      `${tooOld.path} is Python ${tooOld.version}; the derivation checker needs Python 3.8 or newer with numpy. Install one and, if it is not first on the PATH, set ${SETTING}.`,
    );
  }
  throw new PythonSetupError(
    'no-python',
    `No Python found (tried ${candidates.join(', ')}). Install Python 3 with numpy (e.g. \`sudo apt install python3 python3-numpy\`, or from python.org and then \`python3 -m pip install numpy\`), or set ${SETTING}.`,
  );
}
