// Two languages, zh-CN and English: one table of phrases, chosen by the browser and switchable in the header.
export type Lang = 'zh-CN' | 'en';

const en = {
  appName: 'Gridwatch',
  login: 'Log in',
  logout: 'Log out',
  username: 'Username',
  password: 'Password',
  loginFailed: 'Login failed',
  live: 'Live',
  repairs: 'Repairs',
  cameras: 'Cameras',
  doors: 'Doors',
  reports: 'Reports',
  faces: 'Faces',
  loading: 'Loading…',
  empty: 'Nothing here yet.',
  errorPrefix: 'Could not load',
  notAvailable: 'This part of the API is not available on this server yet.',
  forbidden: 'Your role may not see this.',
  network: 'The server cannot be reached.',
  retry: 'Retry',
  alerts: 'Alerts',
  openAlerts: 'Open alerts',
  noAlerts: 'No open alerts.',
  ack: 'Acknowledge',
  resolve: 'Resolve',
  acknowledged: 'acknowledged',
  resolved: 'resolved',
  open: 'open',
  map: 'Grid cells and cameras',
  coverage: 'Coverage',
  coverageUnavailable: 'Coverage not available: cells shown without colour.',
  details: 'Details',
  clickForDetails: 'Click a cell or a camera for details.',
  clickCameraForDetails: 'Click a camera for its details.',
  snapshot: 'Latest snapshot',
  noSnapshot: 'No snapshot.',
  search: 'Search',
  status: 'Status',
  district: 'District',
  cell: 'Cell',
  priority: 'Priority',
  name: 'Name',
  lastSeen: 'Last seen',
  since: 'Since',
  all: 'All',
  prev: 'Previous',
  next: 'Next',
  pageOf: 'Page {page} of {pages} · {total} in all',
  healthTimeline: 'Health timeline (24 h)',
  noHealth: 'No health samples in the last 24 hours.',
  property: 'Compound',
  door: 'Door',
  type: 'Type',
  time: 'Time',
  doorEvents: 'Door events',
  lastEvent: 'Last event',
  direction: 'Direction',
  credential: 'Credential',
  person: 'Person',
  image: 'Image',
  camera: 'Camera',
  cameraOrDoor: 'Camera / door',
  showImage: 'View',
  state: 'State',
  deadline: 'Deadline',
  timeLeft: 'Time left',
  overdueBy: 'Overdue by',
  escalation: 'Escalation',
  unit: 'Maintenance unit',
  overdueOnly: 'Overdue only',
  setState: 'Change state',
  from: 'From',
  to: 'To',
  show: 'Show',
  downloadCsv: 'Download CSV',
  downloadPdf: 'Download PDF',
  outages: 'Outages',
  uptime: 'Uptime',
  mttr: 'Mean time to repair',
  sla: 'SLA compliance',
  overdueTickets: 'Overdue tickets',
  coverageTrend: 'Coverage trend',
  watchlists: 'Watch lists',
  persons: 'Persons',
  enrol: 'Enrol',
  photos: 'Photos',
  matches: 'Matches',
  distance: 'Distance',
  newAlert: 'New alert',
  connected: 'live',
  disconnected: 'offline — reconnecting',
  timezone: 'Times in {tz}',
  severity: 'Severity',
  kind: 'Kind',
  hours: 'h',
  minutes: 'min',
  days: 'd',
  saved: 'Saved.',
  note: 'Note',
  create: 'Create',
  description: 'Description',
  pickList: 'Choose a watch list to see its persons.',
  repairTime: 'Repaired in',
  pickTicket: 'Click a ticket for its history.',
  history: 'History',
  addNote: 'Add note',
  deadLetters: 'Dead letters',
  noDeadLetters: 'No rejected input.',
  source: 'Source',
  sourceFilter: 'Source (exact)',
  topic: 'Topic',
  reason: 'Reason',
  occurrences: 'Occurrences',
  size: 'Size',
  bytes: 'bytes',
  payload: 'Payload',
  lastArrival: 'Last arrival',
  firstArrival: 'First arrival {time}',
  byReason: 'Arrivals by reason (this page)',
  truncated: 'Stored cut at {n} bytes.',
  auth: 'Authentication',
  setCredentials: 'Set credentials',
  credentialsFor: 'Credentials for {camera}',
  credentialsHint: 'Stored encrypted; the password is never shown again.',
  credentialsSaved: 'Credentials saved for {camera}; ingest uses them at once.',
  save: 'Save',
  cancel: 'Cancel',
};

type Dict = Record<keyof typeof en, string>;

const zh: Dict = {
  appName: '网格守望',
  login: '登录',
  logout: '退出',
  username: '用户名',
  password: '密码',
  loginFailed: '登录失败',
  live: '实时',
  repairs: '维修工单',
  cameras: '摄像机',
  doors: '门禁',
  reports: '报表',
  faces: '人脸',
  loading: '加载中…',
  empty: '暂无数据。',
  errorPrefix: '加载失败',
  notAvailable: '本服务器暂未提供该接口。',
  forbidden: '您的角色无权查看。',
  network: '无法连接服务器。',
  retry: '重试',
  alerts: '告警',
  openAlerts: '未处理告警',
  noAlerts: '没有未处理的告警。',
  ack: '确认',
  resolve: '处置完成',
  acknowledged: '已确认',
  resolved: '已处置',
  open: '未处理',
  map: '网格与摄像机',
  coverage: '覆盖率',
  coverageUnavailable: '暂无覆盖率数据：网格未着色。',
  details: '详情',
  clickForDetails: '点击网格或摄像机查看详情。',
  clickCameraForDetails: '点击摄像机查看详情。',
  snapshot: '最新抓图',
  noSnapshot: '暂无抓图。',
  search: '搜索',
  status: '状态',
  district: '区县',
  cell: '网格',
  priority: '重要性',
  name: '名称',
  lastSeen: '最后在线',
  since: '起始',
  all: '全部',
  prev: '上一页',
  next: '下一页',
  pageOf: '第 {page}/{pages} 页 · 共 {total} 条',
  healthTimeline: '健康时间线（24 小时）',
  noHealth: '近 24 小时无健康检测记录。',
  property: '小区',
  door: '门',
  type: '类型',
  time: '时间',
  doorEvents: '门禁事件',
  lastEvent: '最近事件',
  direction: '方向',
  credential: '凭证',
  person: '人员',
  image: '图像',
  camera: '摄像机',
  cameraOrDoor: '摄像机/门',
  showImage: '查看',
  state: '状态',
  deadline: '整改期限',
  timeLeft: '剩余时间',
  overdueBy: '已超期',
  escalation: '督办级别',
  unit: '维保单位',
  overdueOnly: '仅看超期',
  setState: '变更状态',
  from: '起',
  to: '止',
  show: '查询',
  downloadCsv: '下载 CSV',
  downloadPdf: '下载 PDF',
  outages: '故障',
  uptime: '在线率',
  mttr: '平均修复时长',
  sla: '按期整改率',
  overdueTickets: '超期工单',
  coverageTrend: '覆盖率趋势',
  watchlists: '布控名单',
  persons: '人员',
  enrol: '录入',
  photos: '照片',
  matches: '比中记录',
  distance: '距离',
  newAlert: '新告警',
  connected: '实时连接',
  disconnected: '已断开 — 重连中',
  timezone: '时间按 {tz} 显示',
  severity: '级别',
  kind: '类别',
  hours: '小时',
  minutes: '分钟',
  days: '天',
  saved: '已保存。',
  note: '备注',
  create: '新建',
  description: '说明',
  pickList: '选择一个布控名单查看人员。',
  repairTime: '修复用时',
  pickTicket: '点击工单查看处理记录。',
  history: '处理记录',
  addNote: '添加备注',
  deadLetters: '拒收消息',
  noDeadLetters: '没有被拒收的消息。',
  source: '来源',
  sourceFilter: '来源（精确匹配）',
  topic: '主题',
  reason: '原因',
  occurrences: '次数',
  size: '大小',
  bytes: '字节',
  payload: '消息内容',
  lastArrival: '最近到达',
  firstArrival: '首次到达 {time}',
  byReason: '按原因统计到达次数（本页）',
  truncated: '仅保存前 {n} 字节。',
  auth: '认证',
  setCredentials: '设置凭据',
  credentialsFor: '{camera} 的凭据',
  credentialsHint: '加密保存，密码不会再次显示。',
  credentialsSaved: '已保存 {camera} 的凭据，接入服务将立即使用。',
  save: '保存',
  cancel: '取消',
};

/** Enum values (states, kinds, severities, roles) in each language; unknown values show as they are. */
const values: Record<Lang, Record<string, string>> = {
  en: {},
  'zh-CN': {
    online: '在线', offline: '离线', suspect: '疑似故障', recovering: '恢复中', flapping: '频繁抖动', unknown: '未知',
    key: '重点', normal: '普通', remote: '偏远',
    info: '提示', low: '低', medium: '中', high: '高', critical: '紧急',
    open: '未处理', acknowledged: '已确认', resolved: '已处置', dispatched: '已派单', in_progress: '维修中', closed: '已关闭',
    camera_offline: '摄像机离线', repair_overdue: '工单超期', repair_escalated: '工单督办', door_forced: '门被强行打开', door_held_open: '门长时间未关',
    door_tamper: '门禁被破坏', door_unwatched: '门口摄像机失效', watchlist_match: '布控人员比中', credential_mismatch: '凭证与人脸不符',
    coverage_gap: '覆盖率不足', video_quality: '视频质量异常', camera_tamper: '摄像机被遮挡',
    granted: '通行', denied: '拒绝', forced_open: '强行开门', held_open: '门未关', door_closed: '关门', tamper: '破坏', face_capture: '人脸抓拍',
    admin: '管理员', monitor: '值班民警/网格员', property_manager: '物业', supervisor: '督导',
    in: '进', out: '出',
    ok: '正常', auth_failed: '认证失败',
    // Outage causes and watch-list levels, as they appear inside alert titles.
    unreachable: '无法连接', no_video: '无视频', black: '黑屏', frozen: '画面冻结', covered: '遮挡', auth: '认证失败',
    low_fps: '帧率过低', low_resolution: '分辨率过低', wanted: '在逃', banned: '禁入', residents: '住户',
  },
};

/** Alert titles worded from the alert's kind and titleArgs; English shows the server's own title. */
const zhAlertTitles: Partial<Record<string, string>> = {
  camera_offline: '摄像机 {camera} 离线（{cause}）',
  video_quality: '摄像机 {camera} 画面异常：{cause}',
  camera_tamper: '摄像机 {camera} 画面被遮挡',
  repair_overdue: '工单超期：摄像机 {camera}（{district} 督办）',
  repair_escalated: '工单督办：摄像机 {camera}（全市通报）',
  door_forced: '门被强行打开：{door}',
  door_held_open: '门长时间未关：{door}',
  door_unwatched: '门禁使用时覆盖该门的摄像机全部离线：{door}',
  watchlist_match: '布控比中（{level}）：{person}',
  credential_mismatch: '人脸与凭证不符：门 {door}',
  coverage_gap: '网格 {cell} 覆盖率降至 {rate}%（阈值 {threshold}%）',
};

let lang: Lang = pickLang();

function pickLang(): Lang {
  const saved = localStorage.getItem('gridwatch.lang');
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function currentLang(): Lang {
  return lang;
}

export function setLang(l: Lang): void {
  lang = l;
  localStorage.setItem('gridwatch.lang', l);
  document.documentElement.lang = l;
}

const PLACEHOLDER = /\{(\w+)\}/g;

/** A text with its {name} placeholders filled from `vars` (missing ones empty). */
function fill(text: string, vars: Record<string, string | number>): string {
  return text.replace(PLACEHOLDER, (_, k: string) => String(vars[k] ?? ''));
}

export function t(key: keyof typeof en, vars: Record<string, string | number> = {}): string {
  return fill((lang === 'zh-CN' ? zh : en)[key] ?? key, vars);
}

/** A value from the API (state, kind, severity…) in the current language. */
export function tv(value: string | null | undefined): string {
  if (!value) return '—';
  return values[lang][value] ?? value.replaceAll('_', ' ');
}

/** An alert's title in the viewer's language (the server's English title when there is no wording for it). */
export function alertTitle(a: { kind: string; title: string; titleArgs?: Record<string, string | number> }): string {
  const template = lang === 'zh-CN' ? zhAlertTitles[a.kind] : undefined;
  const args = a.titleArgs;
  if (!template || !args) return a.title;
  if ([...template.matchAll(PLACEHOLDER)].some((m) => args[m[1]] === undefined)) return a.title;
  // Causes and list levels are values with words of their own; names and figures go in as they are.
  const words = Object.fromEntries(Object.entries(args).map(([k, v]) => [k, k === 'cause' || k === 'level' ? tv(String(v)) : v]));
  return fill(template, words);
}

/** Date and time in the viewer's own time zone. */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));
}

/** A measured figure in the viewer's language: digit grouping, at most two decimals. */
export function fmtNumber(v: number): string {
  return new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(v);
}

export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** "3 h 20 min" for a duration in milliseconds. */
export function fmtDuration(ms: number): string {
  const m = Math.round(Math.abs(ms) / 60_000);
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const min = m % 60;
  const parts = [];
  if (d) parts.push(`${d} ${t('days')}`);
  if (h) parts.push(`${h} ${t('hours')}`);
  if (!d) parts.push(`${min} ${t('minutes')}`);
  return parts.join(' ');
}
