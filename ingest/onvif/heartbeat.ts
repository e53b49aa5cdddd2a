// The light heartbeat: one GetSystemDateAndTime POST judged by status and response element without a full SOAP
// parse — ten thousand cameras every 30 s must cost little CPU. No keep-alive: 10,000 idle sockets next to
// 10,000 PullPoint long-polls would exhaust the descriptor limit.
import http from 'node:http';
import { CameraCallError } from './onvif-client.ts';

const BODY =
  '<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">' +
  '<s:Body><GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>';

/** Latency in ms, or a CameraCallError classified refused / timeout / auth / bad_response. */
export function pingCamera(xaddr: string, timeoutMs: number): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (e: CameraCallError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(e);
    };
    const req = http.request(xaddr, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/soap+xml; charset=utf-8; action="http://www.onvif.org/ver10/device/wsdl/GetSystemDateAndTime"', 'content-length': Buffer.byteLength(BODY) },
    });
    const timer = setTimeout(() => fail(new CameraCallError('timeout', `no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => fail(new CameraCallError(err.code === 'ETIMEDOUT' ? 'timeout' : 'refused', err.message)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= 65_536) chunks.push(c);
      });
      res.on('error', (err) => fail(new CameraCallError('refused', err.message)));
      res.on('end', () => {
        if (settled) return;
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 401 || /NotAuthorized|not authori[sz]ed/i.test(text)) return fail(new CameraCallError('auth', 'credentials refused'));
        if (res.statusCode !== 200 || !/GetSystemDateAndTimeResponse/.test(text)) return fail(new CameraCallError('bad_response', `HTTP ${res.statusCode}: ${text.slice(0, 120)}`));
        settled = true;
        clearTimeout(timer);
        resolve(performance.now() - start);
      });
    });
    req.end(BODY);
  });
}
