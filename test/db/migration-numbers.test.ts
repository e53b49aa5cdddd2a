// Migration numbers. Postgrator applies only the versions above the highest one a database already has, so a migration
// numbered below one that was already committed is skipped, silently, on every database migrated in between. Rule
// (DEVELOPERS.md): a new migration takes the next number above the highest in migrations/; one number is used twice
// only by a postgres/timescale pair of the same change, added in the same commit.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../../core/db/migrate.ts';

/** Added below a higher number already committed, before the rule; left as they are (databases applied them). */
const ADDED_LATE = new Set(['common/200.do.analytics.sql', 'common/201.do.camera-state-seq.sql', 'postgres/004.do.partition-race.sql']);

const files = ['common', 'postgres', 'timescale'].flatMap((dir) =>
  readdirSync(path.join(MIGRATIONS_DIR, dir)).map((name) => `${dir}/${name}`),
);
const versionOf = (file: string) => Number(/\/(\d+)\./.exec(file)?.[1]);

/** Migration files per commit of the first-parent history, oldest first; undefined without git or with a shallow clone. */
function addedPerCommit(): string[][] | undefined {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: path.dirname(MIGRATIONS_DIR), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    if (git('rev-parse', '--is-shallow-repository').trim() !== 'false') return undefined;
    const log = git(
      'log',
      '--reverse',
      '--first-parent',
      '--diff-merges=first-parent',
      '--no-renames',
      '--diff-filter=A',
      '--name-only',
      '--format=%x00',
      '--',
      'migrations',
    );
    return log
      .split('\0')
      .map((c) =>
        c
          .split('\n')
          .filter((f) => f.endsWith('.sql'))
          .map((f) => f.replace(/^migrations\//, '')),
      )
      .filter((c) => c.length > 0);
  } catch {
    return undefined;
  }
}
const history = addedPerCommit();

describe('migration numbers', () => {
  it('when migrations are listed, then each is NNN.do.name.sql and a number is used once, or by a postgres/timescale pair', () => {
    for (const f of files) expect(f).toMatch(/^\w+\/\d{3}\.do\.[a-z0-9-]+\.sql$/);
    const byVersion = new Map<number, string[]>();
    for (const f of files) byVersion.set(versionOf(f), [...(byVersion.get(versionOf(f)) ?? []), f]);
    const clashes = [...byVersion.values()].filter(
      (same) =>
        same.length > 1 &&
        same
          .map((f) => f.split('/')[0])
          .sort()
          .join() !== 'postgres,timescale',
    );
    expect(clashes).toEqual([]);
  });

  it.skipIf(!history)('when a migration is added, then its number is above every migration committed before it', () => {
    const late: string[] = [];
    let highest = 0;
    for (const commit of history!) {
      for (const f of commit) if (versionOf(f) <= highest && !ADDED_LATE.has(f)) late.push(`${f} (after ${highest})`);
      highest = Math.max(highest, ...commit.map(versionOf));
    }
    // Not committed yet: above everything committed.
    const committed = new Set(history!.flat());
    for (const f of files) if (!committed.has(f) && versionOf(f) <= highest) late.push(`${f} (after ${highest})`);
    expect(late).toEqual([]);
  });
});
