// Installs (once, cached), starts and stops code-server — a real VS Code 1.100 served to a browser —
// for the tests in test/vscode/. The server runs in its own process group: stopping it ends the
// extension hosts and every other child too, not just the server's own process.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const VERSION = '4.100.3';

/** The cached install folder (see install.sh). */
export function codeServerDir() {
  const cache = process.env.XDG_CACHE_HOME || join(process.env.HOME || '/tmp', '.cache');
  return process.env.BACKPROP_MAP_CODE_SERVER_DIR || join(cache, 'backprop-map', `code-server-${VERSION}`);
}

/**
 * Installs code-server unless the cache already has it; returns the install folder.
 * @param {string} scriptsDir the folder holding install.sh
 * @param {number} timeoutMs
 */
export function ensureCodeServer(scriptsDir, timeoutMs = 15 * 60_000) {
  const dir = codeServerDir();
  if (existsSync(join(dir, '.complete'))) return dir;
  const r = spawnSync('bash', [join(scriptsDir, 'install.sh')], { stdio: ['ignore', 'pipe', 'inherit'], timeout: timeoutMs, encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(`installing code-server ${VERSION} failed (${r.error ? r.error.message : `exit ${r.status}`}); see the output above`);
  }
  return dir;
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (s.address());
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server under its own process group with all its state inside `stateDir`, and resolves
 * once `/healthz` answers. Workspace trust is off (every folder trusted) unless `workspaceTrust`.
 * @param {{ stateDir: string, env?: Record<string, string>, timeoutMs?: number, log?: (line: string) => void, workspaceTrust?: boolean }} options
 */
export async function startCodeServer({ stateDir, env = {}, timeoutMs = 60_000, log = () => {}, workspaceTrust = false }) {
  const bin = prepareState(stateDir);
  const port = await freePort();
  const args = [
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check',
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override', '--ignore-last-opened',
    ...stateArgs(stateDir),
  ];
  // detached: the child calls setsid(), so its pid is the id of a new process group.
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: stateEnv(stateDir, env) });
  const output = [];
  const collect = (chunk) => {
    for (const line of String(chunk).split('\n')) {
      if (!line.trim()) continue;
      output.push(line);
      if (output.length > 200) output.shift();
      log(line);
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let stopped = false;
  // Should this process end without stopping the server (an interrupt, a crash), the server's
  // whole process group goes with it.
  const killGroup = () => {
    try { process.kill(-(/** @type {number} */ (child.pid)), 'SIGKILL'); } catch { /* already gone */ }
  };
  const onSignal = (signal) => {
    killGroup();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', killGroup);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const server = {
    port,
    url: `http://127.0.0.1:${port}`,
    pgid: /** @type {number} */ (child.pid),
    output,
    exited,
    /** Ends the whole process group: TERM, then KILL after `graceMs`. */
    async stop(graceMs = 5000) {
      if (stopped) return;
      stopped = true;
      process.off('exit', killGroup);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const signalGroup = (sig) => {
        try { process.kill(-server.pgid, sig); } catch { /* already gone */ }
      };
      signalGroup('SIGTERM');
      const timer = new Promise((resolve) => setTimeout(resolve, graceMs, 'timeout'));
      const first = await Promise.race([exited, timer]);
      // Extension hosts may outlive the server's own process; the group KILL ends them too.
      signalGroup('SIGKILL');
      if (first === 'timeout') await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    },
  };

  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const state = await Promise.race([exited.then((e) => ({ exited: e })), healthy(server.url).then((ok) => ({ ok }))]);
      if ('exited' in state) {
        throw new Error(`code-server exited before it was ready (${JSON.stringify(state.exited)}):\n${output.join('\n')}`);
      }
      if (state.ok) return server;
      if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz within ${timeoutMs} ms:\n${output.join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (e) {
    await server.stop();
    throw e;
  }
}

/** The code-server binary, with the folders of `stateDir` made; throws when it is not installed. */
function prepareState(stateDir) {
  const dir = codeServerDir();
  const bin = join(dir, 'node_modules', '.bin', 'code-server');
  if (!existsSync(bin)) throw new Error(`code-server is not installed at ${dir} (run scripts/vscode/install.sh)`);
  for (const d of ['user', 'ext', 'xdg-config', 'xdg-data', 'xdg-cache', 'tmp']) mkdirSync(join(stateDir, d), { recursive: true });
  writeFileSync(join(stateDir, 'config.yaml'), 'auth: none\n');
  return bin;
}

/** @param {string} stateDir */
function stateArgs(stateDir) {
  return ['--user-data-dir', join(stateDir, 'user'), '--extensions-dir', join(stateDir, 'ext'), '--config', join(stateDir, 'config.yaml')];
}

/** @param {string} stateDir @param {Record<string, string>} [env] */
function stateEnv(stateDir, env = {}) {
  return {
    ...process.env,
    XDG_CONFIG_HOME: join(stateDir, 'xdg-config'),
    XDG_DATA_HOME: join(stateDir, 'xdg-data'),
    XDG_CACHE_HOME: join(stateDir, 'xdg-cache'),
    TMPDIR: join(stateDir, 'tmp'),
    EXTENSIONS_GALLERY: '{}', // no marketplace: nothing to reach over the network
    ...env,
  };
}

/**
 * Installs a .vsix into the extensions folder of `stateDir`, as `code --install-extension` does
 * for a user; returns what code-server printed.
 * @param {string} stateDir
 * @param {string} vsix
 */
export function installExtension(stateDir, vsix) {
  const bin = prepareState(stateDir);
  const r = spawnSync(bin, [...stateArgs(stateDir), '--install-extension', vsix], { env: stateEnv(stateDir), encoding: 'utf8', timeout: 120_000 });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.error || r.status !== 0) throw new Error(`code-server --install-extension ${vsix} failed (${r.error ? r.error.message : `exit ${r.status}`}):\n${output}`);
  return output;
}

async function healthy(url) {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * The workbench URL that opens `folder` with the extension at `extensionPath` loaded live as an
 * "Extension Development Host", optionally running the test suite at `testsPath` inside it.
 * Without `extensionPath` the window runs the extensions installed in the server's folder.
 * @param {{ url: string, port: number }} server
 * @param {{ folder: string, extensionPath?: string, testsPath?: string }} what
 */
export function workbenchUrl(server, { folder, extensionPath, testsPath }) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [];
  if (extensionPath) payload.push(['extensionDevelopmentPath', remote(extensionPath)]);
  if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
  const query = payload.length ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : '';
  return `${server.url}/?folder=${encodeURIComponent(folder)}${query}`;
}
