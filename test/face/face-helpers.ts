// Shared by the face tests: the fixture photos, multipart bodies, writing a capture under DATA_DIR, waiting.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadFaces, type FaceImage } from '../../fixtures/faces/faces.ts';

export const faces = loadFaces();

export function photo(file: string): FaceImage {
  const img = faces.images.find((i) => i.file === file);
  if (!img) throw new Error(`no fixture ${file}`);
  return img;
}

/** A multipart/form-data body with text fields and `photo` files. */
export function multipartBody(
  fields: Record<string, string>,
  photos: { filename: string; data: Buffer }[],
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----gw${randomUUID().replace(/-/g, '')}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const p of photos) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="photo"; filename="${p.filename}"\r\ncontent-type: image/jpeg\r\n\r\n`,
      ),
      p.data,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** Copies a fixture photo to DATA_DIR/captures/<id>.jpg as ingest would; returns the path relative to DATA_DIR. */
export async function captureFile(dataDir: string, data: Buffer): Promise<string> {
  const rel = path.join('captures', `${randomUUID()}.jpg`);
  await mkdir(path.join(dataDir, 'captures'), { recursive: true });
  await writeFile(path.join(dataDir, rel), data);
  return rel;
}

/** Polls `fn` until it returns a truthy value (waiting for asynchronous work, not measuring its speed). */
export async function until<T>(
  fn: () => Promise<T | undefined | false | null> | T | undefined | false | null,
  timeoutMs = 60_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
