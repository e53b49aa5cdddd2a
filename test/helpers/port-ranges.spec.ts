import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PORT_RANGES } from './port-ranges.ts';

const EPHEMERAL_LO = 32768;
const ranges = Object.entries(PORT_RANGES).map(([name, [lo, hi]]) => ({ name, lo, hi }));

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

describe('the test port table', () => {
  it('when the ranges are laid side by side, then none overlaps another and all lie below the ephemeral ports', () => {
    const sorted = [...ranges].sort((a, b) => a.lo - b.lo);
    for (const r of sorted) {
      expect(r.lo, r.name).toBeLessThanOrEqual(r.hi);
      expect(r.hi, r.name).toBeLessThan(EPHEMERAL_LO);
    }
    for (let i = 1; i < sorted.length; i++)
      expect(sorted[i].lo, `${sorted[i - 1].name} and ${sorted[i].name}`).toBeGreaterThan(sorted[i - 1].hi);
  });

  it('when a test file names a port number, then the number lies in a range of the table', () => {
    const root = path.resolve(import.meta.dirname, '..');
    const stray: string[] = [];
    for (const file of testFiles(root)) {
      const text = readFileSync(file, 'utf8');
      // Port-like literals: 20000–32767 after a port-ish name or in a URL (`:22401/`).
      for (const m of text.matchAll(/(?:port|PORT|Port)\w*\s*[:=(]\s*(\d{5})\b|127\.0\.0\.1:(\d{5})\b/g)) {
        const port = Number(m[1] ?? m[2]);
        if (port < 20000 || port >= EPHEMERAL_LO) continue;
        if (!ranges.some((r) => port >= r.lo && port <= r.hi)) stray.push(`${path.relative(root, file)}: ${port}`);
      }
    }
    expect(stray).toEqual([]);
  });
});
