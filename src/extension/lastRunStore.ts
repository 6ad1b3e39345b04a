// Where the last run is kept between extension hosts: one file in the workspace's storage, written
// beside and renamed over, so a reload in the middle of a write leaves the old file whole. No
// `vscode` here (the file format is lastRun.ts).
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseSavedRun, savedRunJson, type SavedRun } from './lastRun';

export class LastRunStore {
  /** Writes of the file, one after the other. */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly log: { warn(message: string): void },
  ) {}

  /**
   * Keeps `run` as the last run. With node's fs (the extension host is node, as the worker and the
   * checker need): workspace.fs's rename goes through the window and took seconds while it was busy,
   * long enough for a reload to come first.
   */
  save(run: SavedRun): void {
    const text = savedRunJson(run);
    const file = this.file;
    this.writing = this.writing
      .then(async () => {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(`${file}.partial`, text);
        await rename(`${file}.partial`, file);
      })
      .catch((e: unknown) => this.log.warn(`could not keep the last run for a window reload: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** Resolves when every save so far is on disk (or has failed and been logged). */
  saved(): Promise<void> {
    return this.writing;
  }

  /** The run kept last; null when there is none, or the file is not one this version can show (logged). */
  async read(): Promise<SavedRun | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return null; // nothing kept yet
    }
    const saved = parseSavedRun(text, this.file);
    if (!saved) this.log.warn(`ignoring ${this.file}: not a run this version can show`);
    return saved;
  }
}
