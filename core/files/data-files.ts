// Files under DATA_DIR, the one way: paths that cannot leave it (nor by `..`, nor by a symlink), atomic writes (a
// reader never sees half a file) and streaming reads, shared by every service that keeps or serves an image.
import path from 'node:path';
import type { ReadStream } from 'node:fs';
import { mkdir, open, readdir, realpath, rename, rm, writeFile } from 'node:fs/promises';

export class PathOutsideError extends Error {
  override readonly name = 'PathOutsideError';
  constructor(readonly requested: string) {
    super(`path outside DATA_DIR: ${requested}`);
  }
}

export interface OpenedFile {
  size: number;
  stream: ReadStream;
}

export class DataFiles {
  readonly root: string;
  constructor(dataDir: string) {
    this.root = path.resolve(dataDir);
  }

  /** Absolute path of a file named relative to DATA_DIR (or absolute inside it); throws PathOutsideError when outside it. */
  resolve(p: string): string {
    if (p.includes('\0')) throw new PathOutsideError(p);
    const abs = path.resolve(this.root, p);
    if (!inside(this.root, abs)) throw new PathOutsideError(p);
    return abs;
  }

  /**
   * The real file behind `p`, only when it is a regular file whose real path (symlinks followed) is still under
   * DATA_DIR's real path: a link planted inside DATA_DIR cannot serve /etc/passwd. Undefined otherwise.
   */
  async real(p: string): Promise<string | undefined> {
    let abs: string;
    try {
      abs = this.resolve(p);
    } catch {
      return undefined;
    }
    const [root, file] = await Promise.all([realpath(this.root).catch(() => undefined), realpath(abs).catch(() => undefined)]);
    return root && file && inside(root, file) ? file : undefined;
  }

  /** Opens a regular file under DATA_DIR for streaming; undefined when it is missing, not a file or outside. */
  async open(p: string): Promise<OpenedFile | undefined> {
    const file = await this.real(p);
    if (!file) return undefined;
    // One descriptor for both the size and the bytes: the file checked is the file sent.
    const fh = await open(file, 'r').catch(() => undefined);
    if (!fh) return undefined;
    const st = await fh.stat().catch(() => undefined);
    if (!st?.isFile()) {
      await fh.close();
      return undefined;
    }
    // The stream owns the FileHandle and closes it: a stream on the bare fd number closed the fd behind the handle's
    // back, and the handle's own close on garbage collection then failed (EBADF), or closed a reused fd.
    return { size: st.size, stream: fh.createReadStream({ autoClose: true }) };
  }

  /** The whole file (small files only: face crops); undefined when missing or outside. */
  async read(p: string): Promise<Buffer | undefined> {
    const f = await this.open(p);
    if (!f) return undefined;
    const parts: Buffer[] = [];
    for await (const chunk of f.stream) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  }

  /** Writes through a temporary file and a rename; writing the same path again replaces it whole. Returns the absolute path. */
  async write(p: string, bytes: Uint8Array): Promise<string> {
    const file = this.resolve(p);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await writeFile(tmp, bytes);
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return file;
  }

  async remove(paths: readonly string[]): Promise<void> {
    await Promise.all(paths.map((p) => rm(this.resolve(p), { force: true })));
  }

  /** Removes the `yyyy-mm-dd` folders under `dir` dated before `cutoffDay`; returns how many went. */
  async removeDaysBefore(dir: string, cutoffDay: string): Promise<number> {
    const abs = this.resolve(dir);
    let removed = 0;
    for (const day of await readdir(abs).catch(() => [] as string[])) {
      if (/^\d{4}-\d{2}-\d{2}$/.test(day) && day < cutoffDay) {
        await rm(path.join(abs, day), { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }
}

function inside(root: string, abs: string): boolean {
  return abs !== root && abs.startsWith(root + path.sep);
}
