// Face image files under DATA_DIR: capture paths resolved without escaping it, crops written by day, removals.
import path from 'node:path';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';

export class FaceStore {
  readonly root: string;
  constructor(dataDir: string) {
    this.root = path.resolve(dataDir);
  }

  /** Absolute path of a file named relative to DATA_DIR (or absolute inside it); throws when outside it. */
  resolve(p: string): string {
    const abs = path.resolve(this.root, p);
    if (abs !== this.root && !abs.startsWith(this.root + path.sep)) throw new Error(`path outside DATA_DIR: ${p}`);
    return abs;
  }

  read(p: string): Promise<Buffer> {
    return readFile(this.resolve(p));
  }

  /** Writes `faces/<kind>/<yyyy-mm-dd>/<name>.jpg`; returns that path relative to DATA_DIR. */
  async save(kind: 'matches' | 'sightings' | 'enrolled', day: Date, name: string, jpeg: Uint8Array): Promise<string> {
    const rel = path.join('faces', kind, day.toISOString().slice(0, 10), `${name}.jpg`);
    const abs = this.resolve(rel);
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, jpeg);
    return rel;
  }

  async remove(paths: readonly string[]): Promise<void> {
    await Promise.all(paths.map((p) => rm(this.resolve(p), { force: true })));
  }
}
