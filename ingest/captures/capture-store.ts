// Face and snapshot images on disk under DATA_DIR/captures/<source>/<UTC day>/<id>.jpg: written atomically
// (a consumer never reads half a file), idempotent by id, and whole days removed after RETENTION_FACES.
import path from 'node:path';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';

export type CaptureSource = 'door' | 'camera';

export class CaptureStore {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = path.resolve(dataDir, 'captures');
  }

  /** Writes the JPEG and returns its absolute path; writing the same id again replaces the same file. */
  async save(source: CaptureSource, id: string, ts: string, jpeg: Buffer): Promise<string> {
    const dir = path.join(this.root, source, ts.slice(0, 10));
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `${id}.jpg`);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, jpeg);
    await rename(tmp, file);
    return file;
  }

  /** Removes day folders entirely older than `retentionMs`; returns how many went. */
  async sweep(now: Date, retentionMs: number): Promise<number> {
    const cutoff = new Date(now.getTime() - retentionMs).toISOString().slice(0, 10);
    let removed = 0;
    for (const source of ['door', 'camera'] as const) {
      const dir = path.join(this.root, source);
      const days = await readdir(dir).catch(() => [] as string[]);
      for (const day of days) {
        // A day is kept while any of it is within retention: only days before the cutoff's day go.
        if (/^\d{4}-\d{2}-\d{2}$/.test(day) && day < cutoff) {
          await rm(path.join(dir, day), { recursive: true, force: true });
          removed++;
        }
      }
    }
    return removed;
  }
}
