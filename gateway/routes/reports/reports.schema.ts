// The reports API's contract: a report as JSON (title, period, named tables); the CSV and PDF hold the same tables.
// The dashboard takes its types from here.
import { Type } from '@sinclair/typebox';
import { ReportLang } from '../../reports/report-words.ts';

export const ReportCell = Type.Union([Type.String(), Type.Number(), Type.Null()]);

export const ReportRow = Type.Record(Type.String(), ReportCell);

export const ReportTable = Type.Object({
  name: Type.String(),
  title: Type.String(),
  columns: Type.Array(Type.Object({ key: Type.String(), title: Type.String() })),
  rows: Type.Array(ReportRow),
});

export const ReportBody = Type.Object({
  title: Type.String(),
  lang: ReportLang,
  from: Type.String(),
  to: Type.String(),
  district: Type.Optional(Type.String()),
  generatedAt: Type.String(),
  tables: Type.Array(ReportTable),
});
