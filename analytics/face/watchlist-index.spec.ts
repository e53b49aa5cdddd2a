import { describe, expect, it, vi } from 'vitest';
import { WatchlistIndex } from './watchlist-index.ts';
import { DIM } from './index/vector-index.ts';
import type { EnrolledFace, WatchlistsRepository } from '../../core/db/repositories/watchlists.repository.ts';

const face = (i: number): EnrolledFace => ({
  personId: `p${i}`,
  personName: `person ${i}`,
  watchlistId: 'w1',
  level: 'wanted',
  scopeKind: 'city',
  descriptor: Array.from({ length: DIM }, (_, d) => Math.sin(i * 7 + d)),
});

describe('WatchlistIndex background rebuild', () => {
  it('when the rebuild after many changes fails, then it is logged with its error and counted, and the index keeps answering', async () => {
    let full = 0;
    const repo = {
      enrolledFaces: async (f: { personId?: string } = {}) => {
        if (f.personId) return Array.from({ length: 300 }, (_, i) => ({ ...face(1000 + i), personId: f.personId! }));
        if (++full > 1) throw new Error('database away');
        return [face(1)];
      },
    } as unknown as WatchlistsRepository;
    const warn = vi.fn();
    const index = new WatchlistIndex(repo, 0.3, { warn } as never);
    await index.rebuild();
    // 300 rows changed: more than the 256 that start a background rebuild, which fails.
    await index.apply({ watchlistId: 'w1', change: 'person_added', personId: 'p2' });
    await vi.waitFor(() => expect(index.rebuildFailures).toBe(1));
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ err: expect.any(Error) }), expect.stringContaining('rebuild failed'));
    expect(index.size).toBe(301);
  });
});
