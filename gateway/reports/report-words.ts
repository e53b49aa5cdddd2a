// The words of the reports (titles, column heads, the lines around the tables) in each language of the dashboard,
// so the page, the CSV and the PDF read the same as the rest of the interface.
import { Type, type Static } from '@sinclair/typebox';
const en = {
  outageReport: 'Camera outages and repairs',
  coverageReport: 'Video coverage',
  perDistrict: 'Per district',
  perCell: 'Per grid cell',
  overdueByUnit: 'Overdue tickets by maintenance unit',
  outagesByCause: 'Outages by cause',
  district: 'District',
  cameras: 'Cameras',
  uptimePct: 'Uptime %',
  outages: 'Outages',
  downHours: 'Camera-hours down',
  ticketsOpened: 'Tickets opened',
  ticketsResolved: 'Resolved',
  mttrMinutes: 'MTTR (min)',
  slaCompliancePct: 'Within SLA %',
  overdueNow: 'Overdue now',
  escalated: 'Escalated',
  unit: 'Unit',
  unitName: 'Unit name',
  overdue: 'Overdue',
  oldestDeadline: 'Oldest deadline',
  cause: 'Cause',
  name: 'Name',
  meanPct: 'Mean coverage %',
  minPct: 'Lowest %',
  lastPct: 'Latest %',
  thresholdPct: 'Threshold %',
  hours: 'Hours',
  hoursBelow: 'Hours below threshold',
  districtLine: 'district',
  generated: 'generated',
  none: '(none)',
};

export type ReportWords = typeof en;
/** The report languages, as the API takes and returns them. */
export const ReportLang = Type.Union([Type.Literal('en'), Type.Literal('zh-CN')], { description: 'Language of titles and column heads' });
export type ReportLang = Static<typeof ReportLang>;

const words: Record<ReportLang, ReportWords> = {
  en,
  'zh-CN': {
    outageReport: '摄像机故障与维修',
    coverageReport: '视频覆盖率',
    perDistrict: '按区县',
    perCell: '按网格',
    overdueByUnit: '各维保单位超期工单',
    outagesByCause: '故障原因分布',
    district: '区县',
    cameras: '摄像机数',
    uptimePct: '在线率 %',
    outages: '故障次数',
    downHours: '离线时长（摄像机·小时）',
    ticketsOpened: '新建工单',
    ticketsResolved: '已处置',
    mttrMinutes: '平均修复时长（分钟）',
    slaCompliancePct: '按期整改率 %',
    overdueNow: '当前超期',
    escalated: '已督办',
    unit: '维保单位',
    unitName: '单位名称',
    overdue: '超期工单',
    oldestDeadline: '最早整改期限',
    cause: '原因',
    name: '名称',
    meanPct: '平均覆盖率 %',
    minPct: '最低 %',
    lastPct: '最新 %',
    thresholdPct: '阈值 %',
    hours: '小时数',
    hoursBelow: '低于阈值小时数',
    districtLine: '区县',
    generated: '生成于',
    none: '（无）',
  },
};

export function reportWords(lang: ReportLang = 'en'): ReportWords {
  return words[lang];
}
