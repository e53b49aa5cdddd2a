// Issue 2's first row: door events into PostgreSQL 15 — the batch writer (unnest) next to plain COPY of the
// same rows (the limit) and one INSERT per row (the naive peer), in one run on one database.
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import type { Row } from './main.ts';
import { freshPgDb } from '../test/helpers/db.ts';
import { BatchWriter, DoorEventsRepository, MaintenanceRepository, type PgDb } from '../core/db/index.ts';
import { CameraHealthRepository } from '../core/db/repositories/camera-health.repository.ts';
import type { DoorEvent } from '../core/events/index.ts';

const ROWS = Number(process.env.BENCH_STORAGE_ROWS ?? 200_000);
const NAIVE_ROWS = Number(process.env.BENCH_NAIVE_ROWS ?? 10_000);

function makeRows(n: number): DoorEvent[] {
  const now = Date.now();
  const types = ['granted', 'denied', 'door_closed', 'granted', 'face_capture'] as const;
  return Array.from({ length: n }, (_, i) => ({
    eventId: randomUUID(),
    ts: new Date(now - (i % 3_600_000)).toISOString(),
    propertyId: `prop-${i % 40}`,
    doorId: `door-${i % 200}`,
    type: types[i % types.length],
    direction: i % 2 ? 'in' : 'out',
    credentialKind: 'card',
    credentialId: `card-${i % 5000}`,
    personId: `res-${i % 5000}`,
    receivedAt: new Date(now).toISOString(),
  }));
}

const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} rows/s`;

export async function run(): Promise<Row[]> {
  const t = await freshPgDb({ poolSize: 4 });
  const db = t.db as PgDb;
  try {
    const repo = new DoorEventsRepository(db);
    const rows = makeRows(ROWS);
    await repo.insertMany(rows.slice(0, 1)); // creates today's partitions outside the measurement
    await db.query('TRUNCATE door_events');

    // COPY: the same rows as text, one stream.
    const client = await db.pool.connect();
    let start = performance.now();
    const esc = (v: string | undefined) => (v === undefined ? '\\N' : v);
    const lines = Readable.from(
      (function* () {
        for (let i = 0; i < rows.length; i += 1000) {
          yield rows
            .slice(i, i + 1000)
            .map(
              (r) =>
                [
                  r.eventId,
                  r.ts,
                  r.propertyId,
                  r.doorId,
                  r.type,
                  esc(r.direction),
                  esc(r.credentialKind),
                  esc(r.credentialId),
                  esc(r.personId),
                  '\\N',
                  r.receivedAt,
                ].join('\t') + '\n',
            )
            .join('');
        }
      })(),
    );
    await pipeline(
      lines,
      client.query(
        copyFrom(
          'COPY door_events (event_id, ts, property_id, door_id, type, direction, credential_kind, credential_id, person_id, image_path, received_at) FROM STDIN',
        ),
      ),
    );
    const copyMs = performance.now() - start;
    client.release();
    await db.query('TRUNCATE door_events');

    // The batch writer as ingest uses it (idempotent unnest insert, batches of 2000, two in flight).
    const writer = new BatchWriter<DoorEvent>({
      name: 'bench',
      write: (b) => repo.insertMany(b).then(() => {}),
      maxBatch: Number(process.env.BENCH_BATCH ?? 2000),
      maxDelayMs: 20,
      maxBuffer: ROWS,
      concurrency: Number(process.env.BENCH_CONC ?? 2),
    });
    start = performance.now();
    await Promise.all(rows.map((r) => writer.add(r)));
    const batchMs = performance.now() - start;
    const stored = await repo.count();
    // Sizing (docs/SIZING.md): bytes on disk per stored door event, table + indexes, after a VACUUM.
    const maintenance = new MaintenanceRepository(db);
    const bytesPerEvent = (await maintenance.tableBytes('door_events')) / stored;
    // The same for heartbeat samples, the largest table by rows (one per camera per interval).
    const health = new CameraHealthRepository(db);
    const samples = Array.from({ length: 100_000 }, (_, i) => ({
      sampleId: randomUUID(),
      cameraId: `cam-${String(i % 10_000).padStart(5, '0')}`,
      ts: new Date(Date.now() - i * 3).toISOString(),
      kind: 'heartbeat' as const,
      reachable: i % 100 !== 0,
      latencyMs: 20 + (i % 50),
      ...(i % 100 === 0 ? { errorClass: 'timeout' as const, error: 'no answer in 3000 ms' } : {}),
    }));
    for (let i = 0; i < samples.length; i += 5000) await health.insertMany(samples.slice(i, i + 5000));
    const bytesPerSample = (await maintenance.tableBytes('camera_health')) / samples.length;
    await db.query('TRUNCATE door_events');

    // Naive: one INSERT per row, one after another.
    const naive = rows.slice(0, NAIVE_ROWS);
    start = performance.now();
    for (const r of naive) {
      await db.query(
        `INSERT INTO door_events (event_id, ts, property_id, door_id, type, direction, credential_kind, credential_id, person_id, received_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT DO NOTHING`,
        [r.eventId, r.ts, r.propertyId, r.doorId, r.type, r.direction, r.credentialKind, r.credentialId, r.personId, r.receivedAt],
      );
    }
    const naiveMs = performance.now() - start;

    const share = ((copyMs / batchMs) * 100).toFixed(0);
    return [
      {
        name: `door events → PG15, batch writer (${ROWS.toLocaleString('en-US')} rows, 11 cols)`,
        value: rate(ROWS, batchMs),
        target: '≥ 60% of COPY',
        note: `${share}% of COPY; ${stored} stored`,
      },
      { name: 'door events → PG15, plain COPY (the limit)', value: rate(ROWS, copyMs) },
      {
        name: 'door events on disk per event (table + indexes, PostgreSQL 15 without TimescaleDB)',
        value: `${Math.round(bytesPerEvent)} bytes`,
        note: `${stored.toLocaleString('en-US')} rows after VACUUM; TimescaleDB compression not measurable here (no Debian package)`,
      },
      {
        name: 'heartbeat samples on disk per sample (camera_health, table + indexes)',
        value: `${Math.round(bytesPerSample)} bytes`,
        note: `${samples.length.toLocaleString('en-US')} samples of 10,000 cameras, 1 % failed with an error text, after VACUUM`,
      },
      { name: `door events → PG15, one INSERT per row (${NAIVE_ROWS.toLocaleString('en-US')} rows)`, value: rate(NAIVE_ROWS, naiveMs) },
    ];
  } finally {
    await t.close();
  }
}
