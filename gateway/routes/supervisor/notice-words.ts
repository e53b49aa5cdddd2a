// The words of the rectification notice (整改通知) in its two languages; Chinese is the notice's own language.
export type NoticeLang = 'zh-CN' | 'en';

const zh = {
  title: '视频监控整改通知',
  scopeCity: '全市',
  period: '统计期间',
  generated: '生成时间',
  timeZone: '时区',
  summary: '一、总体情况',
  summaryLine: '全部摄像机 {cameras} 路，在线率 {online}，完好率 {intact}，重点部位覆盖率 {key}（{covered}/{keys}）。',
  ranking: '二、运维单位排名（按超期工单、在线率、修复时长）',
  levelTwo: '三、二级督办（通报）工单',
  uncovered: '四、未覆盖的重点部位',
  demand: '请以上单位对照问题清单，于收到本通知之日起 {days} 日内完成整改，并将整改情况书面报送。',
  none: '无',
  rank: '排名',
  unit: '运维单位',
  district: '区县',
  overdue: '超期工单',
  onlineRate: '在线率',
  intactRate: '完好率',
  mttrHours: '平均修复时长（小时）',
  levelTwoCount: '二级督办',
  camera: '摄像机',
  keyCoverage: '重点部位覆盖率',
  cameras: '摄像机（路）',
  cause: '故障原因',
  openedAt: '发现时间',
  deadline: '整改期限',
  resolvedAt: '修复时间',
  notResolved: '未修复',
  location: '重点部位',
  kind: '类型',
  cell: '网格',
};
export type NoticeWords = typeof zh;

const en: NoticeWords = {
  title: 'Rectification notice: video surveillance',
  scopeCity: 'Whole city',
  period: 'Period',
  generated: 'Generated',
  timeZone: 'time zone',
  summary: '1. Overview',
  summaryLine: '{cameras} cameras; online rate {online}, intact rate {intact}, key-location coverage {key} ({covered}/{keys}).',
  ranking: '2. Maintenance units ranked (overdue tickets, online rate, time to repair)',
  levelTwo: '3. Tickets escalated to level 2 (public notice)',
  uncovered: '4. Key locations not covered',
  demand: 'The units above are to rectify the listed problems within {days} days of this notice and report in writing.',
  none: 'None',
  rank: 'Rank',
  unit: 'Maintenance unit',
  district: 'District',
  overdue: 'Overdue tickets',
  onlineRate: 'Online rate',
  intactRate: 'Intact rate',
  mttrHours: 'Mean time to repair (h)',
  levelTwoCount: 'Level 2',
  camera: 'Camera',
  keyCoverage: 'Key-location coverage',
  cameras: 'Cameras',
  cause: 'Cause',
  openedAt: 'Found',
  deadline: 'Deadline',
  resolvedAt: 'Repaired',
  notResolved: 'not repaired',
  location: 'Key location',
  kind: 'Kind',
  cell: 'Cell',
};

/** Causes and key-location kinds as the notice names them. */
const zhValues: Record<string, string> = {
  unreachable: '网络不通',
  auth: '认证失败',
  no_video: '无视频',
  black: '黑屏',
  frozen: '画面冻结',
  covered: '遮挡',
  low_quality: '画质差',
  school_gate: '学校大门',
  hospital_entrance: '医院入口',
  compound_gate: '小区大门',
  junction: '路口',
  bus_stop: '公交站',
};

export function noticeWords(lang: NoticeLang): NoticeWords {
  return lang === 'zh-CN' ? zh : en;
}

export function noticeValue(lang: NoticeLang, v: string): string {
  return lang === 'zh-CN' ? (zhValues[v] ?? v) : v.replaceAll('_', ' ');
}

export function fill(text: string, vars: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}
