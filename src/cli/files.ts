import { type Stats, constants, fstatSync, statSync } from 'node:fs';
import { type FileHandle, access, chmod, chown, lstat, open, readlink, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Parameters } from '../core/network';
import { type ModelFile, parseModelFile } from '../core/model';
import { DataError } from '../data/errors';
import { fsErrorReason, readTextFile } from '../data/textFile';
import { UsageError } from './args';

/**
 * Where a write to `path` goes. Only a regular file (or a new path) is replaced through a temporary
 * file and a rename; anything else would be turned into a regular file by the rename, so a device
 * (/dev/null, /dev/full), a FIFO or a socket is written straight into instead, and what this
 * process's stdout or stderr already writes to (/dev/stdout, or `--save out.txt > out.txt`) gets
 * the text through that stream, after what it printed so far. A symbolic link is written through:
 * the file it points to is replaced, the link stays.
 */
type OutputTarget =
  | { kind: 'replace'; path: string; info: Stats | null }
  | { kind: 'stream'; info: Stats }
  | { kind: 'stdio'; stream: NodeJS.WriteStream; info: Stats };

/** A file name to suggest when an output option names a folder. */
const EXAMPLE_NAME: Record<string, string> = { '--save': 'model.json', '--report': 'report.html', '--out': 'model.py' };

async function outputTarget(path: string, option: string): Promise<OutputTarget> {
  const link = await lstat(path).catch(() => null);
  if (link === null) return { kind: 'replace', path, info: null };
  const info = await stat(path).catch(() => null);
  if (info === null) {
    const to = await readlink(path).catch(() => '?');
    throw new UsageError(`${option} ${path}: that is a symbolic link to ${to}, which does not exist. Create the file it points to, or remove the link.`);
  }
  if (info.isDirectory()) throw new UsageError(`${option} ${path}: that is a folder; give a file name, e.g. ${join(path, EXAMPLE_NAME[option] ?? 'output.txt')}.`);
  const stream = stdioOf(info);
  if (stream !== null) return { kind: 'stdio', stream, info };
  if (!info.isFile()) return { kind: 'stream', info };
  // Replacing goes through the folder, past the file's own permission: a read-only file is refused
  // as writing into it would be (also for root, by its mode bits).
  const writable = (info.mode & 0o222) !== 0 && (await access(path, constants.W_OK).then(() => true, () => false));
  if (!writable) throw new UsageError(`${option} ${path}: that file is read-only. Make it writable (chmod u+w ${path}) or choose another name.`);
  return { kind: 'replace', path: link.isSymbolicLink() ? await realpath(path) : path, info };
}

/** process.stdout or process.stderr when `info` is the file, pipe or terminal it writes to; else null. */
function stdioOf(info: Stats): NodeJS.WriteStream | null {
  for (const [fd, stream] of [[1, process.stdout], [2, process.stderr]] as const) {
    try {
      const s = fstatSync(fd);
      if (s.dev === info.dev && s.ino === info.ino) return stream;
    } catch {
      // That stream is closed: not the target.
    }
  }
  return null;
}

/**
 * Checks, before any long work, that `path` can be written: its folder exists and it is not
 * itself a folder or a dangling link. An existing file is overwritten: the user named it. But not
 * one the run reads (`inputs`, e.g. the data file): `--save data.csv` is a slip that would destroy the data.
 */
export async function checkOutputPath(path: string, option: string, inputs: readonly { path: string; what: string }[] = []): Promise<void> {
  const folder = dirname(resolve(path));
  const info = await stat(folder).catch(() => null);
  if (info === null || !info.isDirectory()) {
    throw new UsageError(`${option} ${path}: the folder ${dirname(path)} does not exist. Create it first, or choose another path.`);
  }
  const target = (await outputTarget(path, option)).info;
  if (target === null) return;
  for (const input of inputs) {
    const other = await stat(input.path).catch(() => null);
    // Same device and inode: the same file, also through a link or another spelling of the path.
    if (other !== null && other.dev === target.dev && other.ino === target.ino) {
      throw new UsageError(`${option} ${path}: that is ${input.what}, which would be overwritten. Choose another file name.`);
    }
  }
}

/**
 * Writes `text` to what `path` names (see OutputTarget): a regular file through a temporary file
 * and a rename, so that an interrupted write never leaves half a file; a device or a FIFO straight.
 * DataError naming the path and the cause (a full disk, a FIFO nobody reads) when it fails.
 */
export async function writeTextFile(path: string, text: string, option: string): Promise<void> {
  const target = await outputTarget(path, option);
  if (target.kind !== 'replace') {
    const written =
      target.kind === 'stdio'
        ? new Promise<void>((done, fail) => target.stream.write(text, (e) => (e ? fail(e) : done())))
        : writeStraight(path, text, target.info);
    await written.catch((e: unknown) => {
      throw cannotWrite(path, e, target.info);
    });
    return;
  }
  const temp = join(dirname(target.path), `.${basename(target.path)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, text, 'utf8');
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw cannotCreate(path, e);
  }
  try {
    // The replaced file's mode (and, where allowed, its owner) carries over to the new one.
    const old = target.info;
    if (old !== null) {
      await chmod(temp, old.mode & 0o7777);
      if (process.getuid?.() === 0) await chown(temp, old.uid, old.gid).catch(() => undefined);
    }
    await rename(temp, target.path);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw cannotWrite(path, e);
  }
}

/**
 * A file that could not be created, in words: a folder that does not exist, or one that takes no
 * new files (/proc, a read-only disk, no permission) — never the name of a temporary file.
 */
export function cannotCreate(path: string, e: unknown): DataError {
  const code = (e as NodeJS.ErrnoException).code;
  const folder = dirname(path);
  const exists = (() => {
    try {
      return statSync(folder).isDirectory();
    } catch {
      return false;
    }
  })();
  const why = !exists
    ? `the folder ${folder} does not exist. Create it first, or choose another path`
    : code === 'EACCES' || code === 'EPERM'
      ? `no new file may be made in the folder ${folder} (permission denied); choose another folder`
      : code === 'EROFS'
        ? `the folder ${folder} is on a read-only file system; choose another folder`
        : code === 'ENOENT'
          ? `no file can be created in the folder ${folder} (the system does not allow it there); choose another folder`
          : fsErrorReason(e);
  return new DataError(`Cannot write ${path}: ${why}.`, { file: path });
}

async function writeStraight(path: string, text: string, info: Stats): Promise<void> {
  let probe: FileHandle | null = null;
  if (info.isFIFO()) {
    // A blocking open would wait forever for a reader; without one this open fails at once (ENXIO).
    // Once it succeeded, the blocking open below returns at once, and the writes block as a pipe's should.
    probe = await open(path, constants.O_WRONLY | constants.O_NONBLOCK);
  }
  try {
    const handle = await open(path, constants.O_WRONLY);
    try {
      await handle.writeFile(text, 'utf8');
    } finally {
      await handle.close();
    }
  } finally {
    await probe?.close();
  }
}

/** A failed write as a one-paragraph error naming the file and the cause. */
export function cannotWrite(path: string, e: unknown, info: Stats | null = null): DataError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENXIO' && info?.isFIFO()
      ? 'it is a FIFO (named pipe) that no program reads from; start the reader first'
      : code === 'EPIPE'
        ? 'the program reading from it closed it'
        : fsErrorReason(e);
  return new DataError(`Cannot write ${path}: ${why}.`, { file: path });
}

/** Reads a model file; DataError when it cannot be read, ModelError when it is not a valid model. */
export async function readModelFile(path: string): Promise<{ model: ModelFile; params: Parameters }> {
  return parseModelFile(await readTextFile(path), path);
}
