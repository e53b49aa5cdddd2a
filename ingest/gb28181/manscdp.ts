// MANSCDP bodies (GB/T 28181 Appendix A): XML in GB2312 or UTF-8 as the declaration or Content-Type says, decoded
// from the SIP body's bytes; queries built and encoded the same way.
import iconv from 'iconv-lite';
import { XMLParser } from 'fast-xml-parser';
import { deviceText } from '../device-text.ts';

export type Charset = 'GB2312' | 'UTF-8';

export interface Manscdp {
  /** Root element: Query, Response, Notify or Control. */
  root: string;
  cmdType: string;
  sn: string;
  deviceId: string;
  charset: Charset;
  body: Record<string, any>;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: true,
  // Lists stay lists when a device sends a single item.
  isArray: (name) => name === 'Item',
  // NUL-padded C strings from firmware: see deviceText.
  tagValueProcessor: (_name, value) => deviceText(value),
  attributeValueProcessor: (_name, value) => deviceText(value),
});

/** The declared charset: the XML declaration wins, then the Content-Type parameter; GB2312 by default (the standard's). */
export function declaredCharset(bytes: Buffer, contentType?: string): Charset {
  const head = bytes.subarray(0, 100).toString('latin1');
  const decl = /encoding\s*=\s*["']([\w-]+)["']/i.exec(head)?.[1] ?? /charset\s*=\s*"?([\w-]+)/i.exec(contentType ?? '')?.[1];
  return decl && /^utf-?8$/i.test(decl) ? 'UTF-8' : 'GB2312';
}

/** Parses a MANSCDP body given as the SIP library's binary string; throws with a reason when it is not one. */
export function parseManscdp(binary: string, contentType?: string): Manscdp {
  const bytes = Buffer.from(binary, 'latin1');
  const charset = declaredCharset(bytes, contentType);
  // GB18030 is a superset of GB2312 and GBK, which is what devices declaring GB2312 actually send.
  const text = charset === 'UTF-8' ? bytes.toString('utf8') : iconv.decode(bytes, 'gb18030');
  let doc: Record<string, any>;
  try {
    doc = parser.parse(text, true);
  } catch (err) {
    throw new Error(`MANSCDP body is not well-formed XML: ${(err as Error).message}`, { cause: err });
  }
  const root = ['Query', 'Response', 'Notify', 'Control'].find((r) => doc[r] && typeof doc[r] === 'object');
  if (!root) throw new Error('MANSCDP body has no Query, Response, Notify or Control element');
  const body = doc[root] as Record<string, any>;
  const cmdType = String(body.CmdType ?? '');
  if (!cmdType) throw new Error(`MANSCDP ${root} has no CmdType`);
  return { root, cmdType, sn: String(body.SN ?? ''), deviceId: String(body.DeviceID ?? ''), charset, body };
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function xmlOf(value: unknown, name: string): string {
  if (Array.isArray(value)) return value.map((v) => xmlOf(v, name)).join('');
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const attrs = entries
      .filter(([k]) => k.startsWith('@'))
      .map(([k, v]) => ` ${k.slice(1)}="${escape(String(v))}"`)
      .join('');
    const inner = entries
      .filter(([k]) => !k.startsWith('@'))
      .map(([k, v]) => xmlOf(v, k))
      .join('');
    return `<${name}${attrs}>\r\n${inner}</${name}>\r\n`;
  }
  return value === undefined ? '' : `<${name}>${escape(String(value))}</${name}>\r\n`;
}

/** A MANSCDP document as the binary string the SIP library sends, encoded in `charset`. */
export function buildManscdp(root: string, fields: Record<string, unknown>, charset: Charset = 'GB2312'): string {
  const xml = `<?xml version="1.0" encoding="${charset}"?>\r\n${xmlOf(fields, root)}`;
  return (charset === 'UTF-8' ? Buffer.from(xml, 'utf8') : iconv.encode(xml, 'gb18030')).toString('latin1');
}

/** The items of a list element (`DeviceList`, `Alarmstatus`, …) whatever its shape. */
export function itemsOf(list: unknown): Record<string, any>[] {
  if (!list || typeof list !== 'object') return [];
  const items = (list as Record<string, unknown>).Item;
  return Array.isArray(items) ? (items as Record<string, any>[]) : [];
}
