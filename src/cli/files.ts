import { rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Parameters } from '../core/network';
import { type ModelFile, parseModelFile } from '../core/model';
import { readTextFile } from '../data/textFile';
import { UsageError } from './args';

/**
 * Checks, before any long work, that `path` can be written: its folder exists and it is not
 * itself a folder. An existing file is overwritten: the user named it. But not one the run reads
 * (`inputs`, e.g. the data file): `--save data.csv` is a slip that would destroy the data.
 */
export async function checkOutputPath(path: string, option: string, inputs: readonly { path: string; what: string }[] = []): Promise<void> {
  const folder = dirname(resolve(path));
  const info = await stat(folder).catch(() => null);
  if (info === null || !info.isDirectory()) {
    throw new UsageError(`${option} ${path}: the folder ${dirname(path)} does not exist. Create it first, or choose another path.`);
  }
  const target = await stat(path).catch(() => null);
  if (target?.isDirectory()) throw new UsageError(`${option} ${path}: that is a folder; give a file name, e.g. ${join(path, 'model.json')}.`);
  if (target === null) return;
  for (const input of inputs) {
    const other = await stat(input.path).catch(() => null);
    // Same device and inode: the same file, also through a link or another spelling of the path.
    if (other !== null && other.dev === target.dev && other.ino === target.ino) {
      throw new UsageError(`${option} ${path}: that is ${input.what}, which would be overwritten. Choose another file name.`);
    }
  }
}

/** Writes through a temporary file and a rename, so that an interrupted write never leaves half a file. */
export async function writeTextFile(path: string, text: string): Promise<void> {
  const temp = join(dirname(resolve(path)), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, text, 'utf8');
    await rename(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw new UsageError(`Cannot write ${path}: ${(e as Error).message}`);
  }
}

/** Reads a model file; DataError when it cannot be read, ModelError when it is not a valid model. */
export async function readModelFile(path: string): Promise<{ model: ModelFile; params: Parameters }> {
  return parseModelFile(await readTextFile(path), path);
}
