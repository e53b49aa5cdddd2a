// Simulated cameras in their own process for the camera-health benchmark (so the ingest process's CPU is its
// own, and each process stays under the file-descriptor limit): the first IPC message carries the placements;
// the reply lists the cameras; later messages set faults.
//
// With `hosts` and `ports` ([lo, hi]), the cameras listen on those ports only: the first hi-lo+1 on hosts[0], the next
// on hosts[1], … (loopback addresses such as 127.26.1.1), so 10,000 cameras fit in a range of 1,000 ports.
import {
  startSimulatedCameras,
  type CameraPlacement,
  type FaultKind,
  type SimulatedCameras,
  type SimulatedCameraInfo,
} from '../../../fixtures/index.ts';

interface Start {
  placements: CameraPlacement[];
  password?: string;
  hosts?: string[];
  ports?: [number, number];
}

const sims: SimulatedCameras[] = [];
const byCamera = new Map<string, SimulatedCameras>();

async function start(m: Start): Promise<SimulatedCameraInfo[]> {
  const per = m.ports ? m.ports[1] - m.ports[0] + 1 : m.placements.length;
  const out: SimulatedCameraInfo[] = [];
  for (let k = 0; k * per < m.placements.length; k++) {
    if (m.ports && !m.hosts?.[k]) throw new Error(`camera sim: ${m.placements.length} cameras need more than ${k} hosts of ${per} ports`);
    const s = await startSimulatedCameras({
      cameras: m.placements.slice(k * per, (k + 1) * per),
      streams: 0,
      password: m.password,
      discovery: false,
      faces: false,
      ...(m.ports ? { host: m.hosts![k], basePort: m.ports[0] } : {}),
    });
    sims.push(s);
    for (const c of s.cameras) byCamera.set(c.id, s);
    out.push(...s.cameras);
  }
  return out;
}

process.on('message', (m: Start & { id?: string; fault?: FaultKind }) => {
  if (m.placements) void start(m).then((cams) => process.send!({ cameras: cams.map((c) => ({ id: c.id, urn: c.urn, xaddr: c.xaddr })) }));
  else if (m.id && m.fault) void byCamera.get(m.id)?.setFault(m.id, m.fault);
});
process.on('disconnect', () => void Promise.all(sims.map((s) => s.stop())).then(() => process.exit(0)));
