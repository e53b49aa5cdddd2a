// The one file store: nothing outside DATA_DIR is reachable (by `..`, an absolute path or a symlink), writes are atomic.
import { mkdtemp, readdir, readFile, symlink, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataFiles, PathOutsideError } from './data-files.ts';

const fresh = async () => {
  const base = await mkdtemp(path.join(tmpdir(), 'gw-files-'));
  const data = path.join(base, 'data');
  await mkdir(data);
  await writeFile(path.join(base, 'secret.txt'), 'outside');
  return { base, data, files: new DataFiles(data) };
};

describe('DataFiles', () => {
  it('when a path climbs out with .., an absolute path or a NUL, then resolve refuses it and open finds nothing', async () => {
    const { base, files } = await fresh();
    for (const p of ['../secret.txt', 'a/../../secret.txt', path.join(base, 'secret.txt'), 'x\0.jpg']) {
      expect(() => files.resolve(p)).toThrow(PathOutsideError);
      expect(await files.open(p)).toBeUndefined();
    }
  });

  it('when a symlink inside DATA_DIR points outside it, then open and read find nothing; a link inside it is served', async () => {
    const { base, data, files } = await fresh();
    await symlink(path.join(base, 'secret.txt'), path.join(data, 'evil.jpg'));
    await symlink(base, path.join(data, 'up'));
    expect(await files.open('evil.jpg')).toBeUndefined();
    expect(await files.read('up/secret.txt')).toBeUndefined();
    await writeFile(path.join(data, 'real.jpg'), 'jpeg');
    await symlink(path.join(data, 'real.jpg'), path.join(data, 'alias.jpg'));
    expect((await files.read('alias.jpg'))?.toString()).toBe('jpeg');
  });

  it('when a directory is asked for, then nothing is served', async () => {
    const { data, files } = await fresh();
    await mkdir(path.join(data, 'faces'));
    expect(await files.open('faces')).toBeUndefined();
  });

  it('when a file is written twice, then it holds the second bytes whole and no temporary file is left', async () => {
    const { data, files } = await fresh();
    const abs = await files.write('captures/door/2026-12-06/e1.jpg', Buffer.from('one'));
    await files.write('captures/door/2026-12-06/e1.jpg', Buffer.from('two'));
    expect(await readFile(abs, 'utf8')).toBe('two');
    expect(await readdir(path.join(data, 'captures/door/2026-12-06'))).toEqual(['e1.jpg']);
    const opened = await files.open('captures/door/2026-12-06/e1.jpg');
    expect(opened?.size).toBe(3);
    opened?.stream.destroy();
  });

  it('when days are swept, then only day folders before the cutoff go', async () => {
    const { data, files } = await fresh();
    for (const d of ['2026-12-01', '2026-12-05', '2026-12-06', 'keep-me'])
      await mkdir(path.join(data, 'captures/door', d), { recursive: true });
    expect(await files.removeDaysBefore('captures/door', '2026-12-05')).toBe(1);
    expect((await readdir(path.join(data, 'captures/door'))).sort()).toEqual(['2026-12-05', '2026-12-06', 'keep-me']);
  });
});
