// Door lookups for intake: which doors exist, so events from unknown doors become dead letters.
import type { Db } from '../../core/db/db.ts';

export class DoorsRepository {
  constructor(private readonly db: Db) {}

  /** Every door as "propertyId/doorId". */
  async allKeys(): Promise<string[]> {
    const r = await this.db.query<{ k: string }>(`SELECT property_id || '/' || id AS k FROM doors`);
    return r.rows.map((x) => x.k);
  }

  /** True when the door exists and belongs to the property. */
  async exists(propertyId: string, doorId: string): Promise<boolean> {
    const r = await this.db.query('SELECT 1 FROM doors WHERE id = $1 AND property_id = $2', [doorId, propertyId]);
    return r.rows.length > 0;
  }
}
