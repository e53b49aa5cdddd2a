// WS-Discovery replies as devices really send them: a <ProbeMatch> without its <ProbeMatches> wrapper (old
// Dahua-OEM firmware) is still a camera, over multicast as over a directed probe; a reply that names no camera (an
// empty <ProbeMatches/>, garbage) is counted with its sender instead of vanishing. And a camera whose SOAP answers
// take 2-5 s each is still inventoried in full when each call gets its own timeout.
import dgram from 'node:dgram';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulatedCameras, type SimulatedCameras } from '../../fixtures/index.ts';
import { probeMatchXml } from '../../fixtures/onvif/discovery-responder.ts';
import { directedProbeAll, parseProbeMatches, probeAll } from '../../ingest/onvif/discovery.ts';
import { cameraFor } from '../../ingest/onvif/onvif-client.ts';
import { readCameraInventory } from '../../ingest/onvif/inventory.ts';
import { probeClock } from '../../ingest/onvif/device-clock.ts';

const DISCOVERY_PORT = 22220;
const ODD_PORT = 22221;

describe('WS-Discovery replies', () => {
  let sim: SimulatedCameras;
  let odd: dgram.Socket;
  const replies: string[] = [];

  beforeAll(async () => {
    sim = await startSimulatedCameras({
      cameras: 2,
      seed: 21,
      basePort: 22230,
      password: '',
      faces: false,
      quirks: (_id, i) => (i === 0 ? ['bare-probe-match'] : []),
      discovery: { port: DISCOVERY_PORT, spreadMs: 20 },
    });
    // A device that answers every probe with what it has queued in `replies`.
    odd = dgram.createSocket('udp4');
    odd.on('message', (_m, rinfo) => {
      for (const r of replies) odd.send(Buffer.from(r), rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => odd.bind(ODD_PORT, '127.0.0.1', () => r()));
  });

  afterAll(async () => {
    await sim?.stop();
    odd?.close();
  });

  it('when a reply has a bare ProbeMatch, then its urn and address are read', () => {
    const c = sim.camera(sim.cameras[0].id);
    const bare = probeMatchXml('urn:uuid:x', c, 1);
    expect(bare).not.toMatch(/<d:ProbeMatches>/);
    expect(bare).toMatch(/<d:ProbeMatch>/);
    expect(parseProbeMatches(bare)).toEqual([{ urn: c.identity.urn, xaddr: c.xaddr }]);
  });

  it('when probed over multicast, then the bare-ProbeMatch camera is found beside the wrapped one', async () => {
    const r = await probeAll({ timeoutMs: 800, port: DISCOVERY_PORT });
    const urns = r.found.map((d) => d.urn);
    for (const c of sim.cameras) expect(urns).toContain(c.urn);
    expect(r.unparsed).toEqual([]);
  });

  it('when a device answers with an empty ProbeMatches or garbage, then each reply is counted with its sender and reason', async () => {
    replies.splice(
      0,
      replies.length,
      '<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><s:Body><d:ProbeMatches/></s:Body></s:Envelope>',
      'HELLO?',
      '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><d:ProbeMatches><d:ProbeMatch><d:XAddrs>http://127.0.0.1/onvif</d:XAddrs></d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>',
    );
    const r = await directedProbeAll('127.0.0.1', 500, ODD_PORT);
    expect(r.found).toEqual([]);
    expect(r.unparsed.map((u) => u.reason).sort()).toEqual([
      'ProbeMatch without endpoint address or XAddrs',
      'empty ProbeMatches',
      'not a SOAP envelope',
    ]);
    expect(r.unparsed.every((u) => u.from === `127.0.0.1:${ODD_PORT}`)).toBe(true);
  });
});

describe('slow SOAP', () => {
  let sim: SimulatedCameras;

  beforeAll(async () => {
    sim = await startSimulatedCameras({ cameras: 1, seed: 22, basePort: 22240, password: 'pw', faces: false, quirks: () => ['slow-soap'] });
  });

  afterAll(async () => {
    await sim?.stop();
  });

  it('when every answer takes 2-5 s, then a heartbeat and a full inventory succeed within a 6 s timeout per call', async () => {
    const c = sim.cameras[0];
    const beat = await probeClock(c.xaddr, 6000);
    expect(beat.latencyMs).toBeGreaterThanOrEqual(2000);
    const inv = await readCameraInventory(cameraFor({ xaddr: c.xaddr, username: 'admin', password: 'pw', timeoutMs: 6000 }), c.xaddr, 6000);
    expect(inv.errors).toEqual([]);
    expect(inv).toMatchObject({ manufacturer: expect.any(String), streamUri: expect.any(String), snapshotUri: expect.any(String) });
    expect(inv.capabilities).toEqual({ events: true, snapshot: true, videoSources: true });
  }, 90_000);
});

describe('a device that answers every call it lacks with a stub envelope', () => {
  let server: http.Server;
  const xaddr = 'http://127.0.0.1:22250/onvif/device_service';
  const env = (body: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>${body}</s:Body></s:Envelope>`;

  beforeAll(async () => {
    // As a minimal open-source camera script does: capabilities, one profile and a stream URI; 200 "OK" to the rest.
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        let x =
          '<?xml version="1.0" encoding="UTF-8"?><Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body>OK</Body></Envelope>';
        if (body.includes('GetCapabilities'))
          x = env(
            `<tds:GetCapabilitiesResponse xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><tds:Capabilities><tt:Media xmlns:tt="http://www.onvif.org/ver10/schema"><tt:XAddr>${xaddr}</tt:XAddr></tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse>`,
          );
        else if (body.includes('GetProfiles'))
          x = env(
            '<trt:GetProfilesResponse xmlns:trt="http://www.onvif.org/ver10/media/wsdl"><trt:Profiles fixed="true" token="Profile_1"><tt:Name xmlns:tt="http://www.onvif.org/ver10/schema">DefaultProfile</tt:Name></trt:Profiles></trt:GetProfilesResponse>',
          );
        else if (body.includes('GetStreamUri'))
          x = env(
            '<trt:GetStreamUriResponse xmlns:trt="http://www.onvif.org/ver10/media/wsdl"><trt:MediaUri><tt:Uri xmlns:tt="http://www.onvif.org/ver10/schema">rtsp://127.0.0.1:22251/stream1</tt:Uri></trt:MediaUri></trt:GetStreamUriResponse>',
          );
        res.writeHead(200, { 'Content-Type': 'application/soap+xml' }).end(x);
      });
    });
    await new Promise<void>((r) => server.listen(22250, '127.0.0.1', () => r()));
  });

  afterAll(async () => {
    await new Promise((r) => server?.close(r));
  });

  it('when its time call gets a stub, then it is reachable, and its profile and stream URI are kept with the failed calls listed', async () => {
    const beat = await probeClock(xaddr, 3000);
    expect(beat).toMatchObject({ status: 200, needsAuth: false, noTime: true });
    const inv = await readCameraInventory(cameraFor({ xaddr, username: 'admin', password: '', timeoutMs: 3000 }), xaddr, 3000);
    expect(inv.streamUri).toBe('rtsp://127.0.0.1:22251/stream1');
    expect(inv.profiles).toEqual([expect.objectContaining({ token: 'Profile_1', name: 'DefaultProfile' })]);
    expect(inv.errors.map((e) => e.call)).toEqual(expect.arrayContaining(['GetSnapshotUri']));
    expect(inv.capabilities.events).toBe(false);
  });
});
