// Simulated cameras in their own process for the camera-health benchmark (so the ingest process's CPU is its
// own, and each process stays under the file-descriptor limit): the first IPC message carries the placements;
// the reply lists the cameras; later messages set faults.
import { startSimulatedCameras, type CameraPlacement, type FaultKind, type SimulatedCameras } from '../../../fixtures/index.ts';

let sim: SimulatedCameras | undefined;
process.on('message', (m: { placements?: CameraPlacement[]; password?: string; id?: string; fault?: FaultKind }) => {
  if (m.placements) {
    void startSimulatedCameras({ cameras: m.placements, streams: 0, password: m.password, discovery: false, faces: false }).then((s) => {
      sim = s;
      process.send!({ cameras: s.cameras.map((c) => ({ id: c.id, urn: c.urn, xaddr: c.xaddr })) });
    });
  } else if (m.id && m.fault) void sim?.setFault(m.id, m.fault);
});
process.on('disconnect', () => void (sim?.stop() ?? Promise.resolve()).then(() => process.exit(0)));
