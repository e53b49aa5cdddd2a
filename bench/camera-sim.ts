// The simulated cameras of the camera benches, in a process of their own (test/ingest/helpers/camera-sim-process.ts),
// so their SOAP work is not counted as ingest CPU.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** `at`: listen on these ports only, hi-lo+1 cameras per host (loopback addresses of their own, e.g. 127.26.1.1). */
export function simProcess(
  placements: unknown[],
  at?: { hosts: string[]; ports: [number, number] },
): Promise<{ child: ChildProcess; cameras: { id: string; urn: string; xaddr: string }[] }> {
  const file = fileURLToPath(new URL('../test/ingest/helpers/camera-sim-process.ts', import.meta.url));
  const child = fork(file, [], { execArgv: ['--import', 'tsx'] });
  child.send({ placements, password: 'bench-pw', ...at });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, cameras: (m as { cameras: { id: string; urn: string; xaddr: string }[] }).cameras }));
    child.once('error', reject);
  });
}
