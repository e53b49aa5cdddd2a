// Face image files under DATA_DIR (faces/<kind>/<yyyy-mm-dd>/<name>.jpg), kept through the one file store in core.
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { DataFiles } from '../../core/files/data-files.ts';

export class FaceStore {
  readonly root: string;
  private readonly files: DataFiles;
  constructor(dataDir: string) {
    this.files = new DataFiles(dataDir);
    this.root = this.files.root;
  }

  /** Absolute path of a file named relative to DATA_DIR (or absolute inside it); throws when outside it. */
  resolve(p: string): string {
    return this.files.resolve(p);
  }

  async read(p: string): Promise<Buffer> {
    // Whole-file read of the checked real path: DataFiles.read streams from a FileHandle's fd, whose handle then
    // fails with EBADF when garbage-collected (an uncaught error in the process).
    const file = await this.files.real(p);
    if (!file) throw new Error(`no face image at ${p}`);
    return readFile(file);
  }

  /** Writes `faces/<kind>/<yyyy-mm-dd>/<name>.jpg` atomically; returns that path relative to DATA_DIR. */
  async save(kind: 'matches' | 'sightings' | 'enrolled', day: Date, name: string, jpeg: Uint8Array): Promise<string> {
    const rel = path.join('faces', kind, day.toISOString().slice(0, 10), `${name}.jpg`);
    await this.files.write(rel, jpeg);
    return rel;
  }

  remove(paths: readonly string[]): Promise<void> {
    return this.files.remove(paths);
  }
}
