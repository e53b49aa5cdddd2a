// The supervisors' reports as plain data: outages (uptime, outages, MTTR, SLA compliance, overdue tickets by district
// and unit) and coverage (mean, lowest and latest rate per district and cell, hours below threshold).
import type { Db } from '../../core/db/db.ts';
import type { Scope } from '../../core/auth/scope.ts';
import { OutagesRepository } from '../../core/db/repositories/outages.repository.ts';
import { RepairsRepository } from '../../core/db/repositories/repairs.repository.ts';
import { CoverageRepository } from '../../core/db/repositories/coverage.repository.ts';
import { GridRepository } from '../../core/db/repositories/grid.repository.ts';
import { reportWords, type ReportLang, type ReportWords } from './report-words.ts';

export interface ReportQuery {
  from: Date;
  to: Date;
  now: Date;
  district?: string;
  scope: Scope;
  /** Language of titles and column heads (default English). */
  lang?: ReportLang;
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
  lang: ReportLang;
  from: string;
  to: string;
  district?: string;
  generatedAt: string;
  tables: ReportTable[];
}

/** Columns by key, each headed in the report's language (the key is the row field). */
const columnsOf =
  (w: ReportWords) =>
  (...keys: (keyof ReportWords)[]) =>
    keys.map((key) => ({ key, title: w[key] }));

/** District names in the report's language (Chinese when the city has one, else the English name); the id when unknown. */
async function districtNames(db: Db, lang: ReportLang | undefined): Promise<(id: string | null | undefined) => string | null> {
  const units = await new GridRepository(db).units('district', {}, false);
  const names = new Map(units.map((u) => [u.id, (lang === 'zh-CN' && u.nameZh) || u.name]));
  return (id) => (id == null ? null : (names.get(id) ?? id));
}

const pct = (x: number | null) => (x === null ? null : Math.round(x * 10000) / 100);

export async function outageReport(db: Db, q: ReportQuery): Promise<Report> {
  const filter = { from: q.from, to: q.to, now: q.now, district: q.district, scope: q.scope };
  const uptime = await new OutagesRepository(db).uptimeByDistrict(filter);
  const stats = await new RepairsRepository(db).stats(filter);
  const byDistrict = new Map(stats.districts.map((s) => [s.district, s]));
  const w = reportWords(q.lang);
  const col = columnsOf(w);
  const named = await districtNames(db, q.lang);
  return {
    title: w.outageReport,
    lang: q.lang ?? 'en',
    from: q.from.toISOString(),
    to: q.to.toISOString(),
    district: named(q.district) ?? undefined,
    generatedAt: q.now.toISOString(),
    tables: [
      {
        name: 'districts',
        title: w.perDistrict,
        columns: col(
          'district',
          'cameras',
          'uptimePct',
          'outages',
          'downHours',
          'ticketsOpened',
          'ticketsResolved',
          'mttrMinutes',
          'slaCompliancePct',
          'overdueNow',
          'escalated',
        ),
        rows: uptime.map((u) => {
          const s = byDistrict.get(u.district);
          return {
            district: named(u.district),
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
        title: w.overdueByUnit,
        columns: col('district', 'unit', 'unitName', 'overdue', 'oldestDeadline'),
        rows: stats.overdueByUnit.map((x) => ({ ...x, district: named(x.district) })),
      },
      {
        name: 'causes',
        title: w.outagesByCause,
        columns: col('district', 'cause', 'outages'),
        rows: uptime.flatMap((u) => Object.entries(u.causes).map(([cause, n]) => ({ district: named(u.district), cause, outages: n }))),
      },
    ],
  };
}

export async function coverageReport(db: Db, q: ReportQuery): Promise<Report> {
  const repo = new CoverageRepository(db);
  const filter = { from: q.from, to: q.to, district: q.district, scope: q.scope };
  const w = reportWords(q.lang);
  const named = await districtNames(db, q.lang);
  const columns = columnsOf(w)('unit', 'name', 'district', 'meanPct', 'minPct', 'lastPct', 'thresholdPct', 'hours', 'hoursBelow');
  const table = async (level: string, name: string, title: string): Promise<ReportTable> => ({
    name,
    title,
    columns,
    rows: (await repo.summary({ ...filter, level })).map((s) => ({
      unit: s.unitId,
      name: s.name,
      district: named(s.districtId ?? s.unitId),
      meanPct: pct(s.meanRate),
      minPct: pct(s.minRate),
      lastPct: pct(s.lastRate),
      thresholdPct: pct(s.threshold),
      hours: s.hours,
      hoursBelow: s.hoursBelow,
    })),
  });
  return {
    title: w.coverageReport,
    lang: q.lang ?? 'en',
    from: q.from.toISOString(),
    to: q.to.toISOString(),
    district: named(q.district) ?? undefined,
    generatedAt: q.now.toISOString(),
    tables: [await table('district', 'districts', w.perDistrict), await table('cell', 'cells', w.perCell)],
  };
}
