// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) and prints one table.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { fork } from 'node:child_process';

export interface Row {
  name: string;
  value: string;
  target?: string;
  note?: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Each suite runs in a process of its own, so none inherits another's heap, workers or timers: a suite that ran
 * before (faces loads models, camera-health starts 10,000 cameras) made the door-intake latency in the same process
 * several times worse. The child is this file with BENCH_SUITE set; it sends its rows back and exits.
 */
if (process.env.BENCH_SUITE) {
  const suite = process.env.BENCH_SUITE;
  const mod = (await import(path.join(here, `${suite}.bench.ts`))) as { run: () => Promise<Row[]> };
  let rows: Row[];
  try {
    rows = await mod.run();
  } catch (err) {
    rows = [{ name: 'FAILED', value: String(err) }];
  }
  process.send!(rows, () => process.exit(0));
} else {
  await runAll();
}

function runSuite(suite: string): Promise<Row[]> {
  const child = fork(fileURLToPath(import.meta.url), [], { execArgv: process.execArgv, env: { ...process.env, BENCH_SUITE: suite } });
  return new Promise((resolve) => {
    let rows: Row[] | undefined;
    child.once('message', (m) => (rows = m as Row[]));
    child.once('exit', (code, signal) =>
      resolve(rows ?? [{ name: 'FAILED', value: `suite process ended (${code ?? signal}) without rows` }]),
    );
  });
}

async function runAll(): Promise<void> {
  const only = process.argv.slice(2);
  const files = (await readdir(here)).filter((f) => f.endsWith('.bench.ts')).sort();
  const rows: (Row & { suite: string })[] = [];
  for (const f of files) {
    const suite = f.replace('.bench.ts', '');
    if (only.length && !only.includes(suite)) continue;
    process.stderr.write(`running ${suite}…\n`);
    for (const r of await runSuite(suite)) rows.push({ suite, ...r });
  }
  printTable(rows);
  process.exit(0);
}

function printTable(rows: (Row & { suite: string })[]): void {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `\nGridwatch benchmarks — ${new Date().toISOString()} — ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`,
  );
  const header = ['suite', 'benchmark', 'measured', 'target', 'note'];
  const table = rows.map((r) => [r.suite, r.name, r.value, r.target ?? '', r.note ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const t of table) console.log(line(t));
}
