// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) and prints one table.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

export interface Row {
  name: string;
  value: string;
  target?: string;
  note?: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = (await readdir(here)).filter((f) => f.endsWith('.bench.ts')).sort();
const rows: (Row & { suite: string })[] = [];
for (const f of files) {
  const suite = f.replace('.bench.ts', '');
  if (only.length && !only.includes(suite)) continue;
  process.stderr.write(`running ${suite}…\n`);
  const mod = (await import(path.join(here, f))) as { run: () => Promise<Row[]> };
  try {
    for (const r of await mod.run()) rows.push({ suite, ...r });
  } catch (err) {
    rows.push({ suite, name: 'FAILED', value: String(err) });
  }
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`\nGridwatch benchmarks — ${new Date().toISOString()} — ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`);
const header = ['suite', 'benchmark', 'measured', 'target', 'note'];
const table = rows.map((r) => [r.suite, r.name, r.value, r.target ?? '', r.note ?? '']);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const t of table) console.log(line(t));
process.exit(0);
