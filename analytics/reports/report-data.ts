// The supervisors' reports as plain data: outages (uptime, outages, MTTR, SLA compliance, overdue tickets by district
// and unit) and coverage (mean, lowest and latest rate per district and cell, hours below threshold).
import type { Db } from '../../core/db/db.ts';
import type { Scope } from '../../core/auth/scope.ts';
import { OutagesRepository } from '../../core/db/repositories/outages.repository.ts';
import { RepairsRepository } from '../../core/db/repositories/repairs.repository.ts';
import { CoverageRepository } from '../../core/db/repositories/coverage.repository.ts';

export interface ReportQuery {
  from: Date;
  to: Date;
  now: Date;
  district?: string;
  scope: Scope;
}

/** A table of a report: the same rows feed JSON, CSV and PDF. */
export interface ReportTable {
  name: string;
  title: string;
  columns: { key: string; title: string }[];
  rows: Record<string, string | number | null>[];
}

export interface Report {
  title: string;
  from: string;
  to: string;
  district?: string;
  generatedAt: string;
  tables: ReportTable[];
}

const pct = (x: number | null) => (x === null ? null : Math.round(x * 10000) / 100);

export async function outageReport(db: Db, q: ReportQuery): Promise<Report> {
  const filter = { from: q.from, to: q.to, now: q.now, district: q.district, districts: q.scope.districts };
  const uptime = await new OutagesRepository(db).uptimeByDistrict(filter);
  const stats = await new RepairsRepository(db).stats(filter);
  const byDistrict = new Map(stats.districts.map((s) => [s.district, s]));
  return {
    title: 'Camera outages and repairs',
    from: q.from.toISOString(),
    to: q.to.toISOString(),
    district: q.district,
    generatedAt: q.now.toISOString(),
    tables: [
      {
        name: 'districts',
        title: 'Per district',
        columns: [
          { key: 'district', title: 'District' },
          { key: 'cameras', title: 'Cameras' },
          { key: 'uptimePct', title: 'Uptime %' },
          { key: 'outages', title: 'Outages' },
          { key: 'downHours', title: 'Camera-hours down' },
          { key: 'ticketsOpened', title: 'Tickets opened' },
          { key: 'ticketsResolved', title: 'Resolved' },
          { key: 'mttrMinutes', title: 'MTTR (min)' },
          { key: 'slaCompliancePct', title: 'Within SLA %' },
          { key: 'overdueNow', title: 'Overdue now' },
          { key: 'escalated', title: 'Escalated' },
        ],
        rows: uptime.map((u) => {
          const s = byDistrict.get(u.district);
          return {
            district: u.district,
            cameras: u.cameras,
            uptimePct: pct(u.uptime),
            outages: u.outages,
            downHours: Math.round((u.downSeconds / 3600) * 100) / 100,
            ticketsOpened: s?.opened ?? 0,
            ticketsResolved: s?.resolved ?? 0,
            mttrMinutes: s?.mttrSeconds == null ? null : Math.round((s.mttrSeconds / 60) * 10) / 10,
            slaCompliancePct: pct(s?.slaCompliance ?? null),
            overdueNow: s?.overdue ?? 0,
            escalated: s?.escalated ?? 0,
          };
        }),
      },
      {
        name: 'overdueByUnit',
        title: 'Overdue tickets by maintenance unit',
        columns: [
          { key: 'district', title: 'District' },
          { key: 'unit', title: 'Unit' },
          { key: 'unitName', title: 'Unit name' },
          { key: 'overdue', title: 'Overdue' },
          { key: 'oldestDeadline', title: 'Oldest deadline' },
        ],
        rows: stats.overdueByUnit.map((x) => ({ ...x })),
      },
      {
        name: 'causes',
        title: 'Outages by cause',
        columns: [
          { key: 'district', title: 'District' },
          { key: 'cause', title: 'Cause' },
          { key: 'outages', title: 'Outages' },
        ],
        rows: uptime.flatMap((u) => Object.entries(u.causes).map(([cause, n]) => ({ district: u.district, cause, outages: n }))),
      },
    ],
  };
}

export async function coverageReport(db: Db, q: ReportQuery): Promise<Report> {
  const repo = new CoverageRepository(db);
  const filter = { from: q.from, to: q.to, district: q.district, districts: q.scope.districts };
  const columns = [
    { key: 'unit', title: 'Unit' },
    { key: 'name', title: 'Name' },
    { key: 'district', title: 'District' },
    { key: 'meanPct', title: 'Mean coverage %' },
    { key: 'minPct', title: 'Lowest %' },
    { key: 'lastPct', title: 'Latest %' },
    { key: 'thresholdPct', title: 'Threshold %' },
    { key: 'hours', title: 'Hours' },
    { key: 'hoursBelow', title: 'Hours below threshold' },
  ];
  const table = async (level: string, name: string, title: string): Promise<ReportTable> => ({
    name,
    title,
    columns,
    rows: (await repo.summary({ ...filter, level })).map((s) => ({
      unit: s.unitId,
      name: s.name,
      district: s.districtId ?? s.unitId,
      meanPct: pct(s.meanRate),
      minPct: pct(s.minRate),
      lastPct: pct(s.lastRate),
      thresholdPct: pct(s.threshold),
      hours: s.hours,
      hoursBelow: s.hoursBelow,
    })),
  });
  return {
    title: 'Video coverage',
    from: q.from.toISOString(),
    to: q.to.toISOString(),
    district: q.district,
    generatedAt: q.now.toISOString(),
    tables: [await table('district', 'districts', 'Per district'), await table('cell', 'cells', 'Per grid cell')],
  };
}
