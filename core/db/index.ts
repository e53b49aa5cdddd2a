export { PgDb, PgliteDb, type Db, type Queryable, type Backend, type QueryResult } from './db.ts';
export { openDb, describe } from './open.ts';
export { migrate, MIGRATIONS_DIR } from './migrate.ts';
export { BatchWriter, type BatchWriterOptions } from './batch-writer.ts';
export { ensurePartitionsFor } from './partitions.ts';
export { DoorEventsRepository, type DoorEventFilter } from './repositories/door-events.repository.ts';
export { DeadLettersRepository, type DeadLetter, type DeadLetterRow } from './repositories/dead-letters.repository.ts';
export { MaintenanceRepository } from './repositories/maintenance.repository.ts';
