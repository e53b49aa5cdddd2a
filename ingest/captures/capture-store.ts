// Face and snapshot images on disk under DATA_DIR/captures/<source>/<UTC day>/<id>.jpg: written atomically
// (a consumer never reads half a file), idempotent by id, and whole days removed after RETENTION_FACES.
import path from 'node:path';
import { DataFiles } from '../../core/files/data-files.ts';

export type CaptureSource = 'door' | 'camera';

export class CaptureStore {
  readonly root: string;
  private readonly files: DataFiles;

  constructor(dataDir: string) {
    this.files = new DataFiles(dataDir);
    this.root = path.join(this.files.root, 'captures');
  }

  /** Writes the JPEG and returns its absolute path; writing the same id again replaces the same file. */
  save(source: CaptureSource, id: string, ts: string, jpeg: Buffer): Promise<string> {
    return this.files.write(path.join('captures', source, ts.slice(0, 10), `${id}.jpg`), jpeg);
  }

  /** Removes day folders entirely older than `retentionMs`; returns how many went. */
  async sweep(now: Date, retentionMs: number): Promise<number> {
    // A day is kept while any of it is within retention: only days before the cutoff's day go.
    const cutoff = new Date(now.getTime() - retentionMs).toISOString().slice(0, 10);
    let removed = 0;
    for (const source of ['door', 'camera'] as const) removed += await this.files.removeDaysBefore(path.join('captures', source), cutoff);
    return removed;
  }
}
