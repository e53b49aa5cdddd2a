// Door controllers (acked-publisher.ts) in a child process of their own, so that their pace does not depend on the
// caller's event loop; resolves with their figures when they are done. `children` tracks the live ones, for a
// caller that must kill them if it fails midway.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PublisherJob, PublisherResult } from './acked-publisher.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function publishDoors(job: PublisherJob, children?: Set<ChildProcess>): Promise<PublisherResult> {
  const child = fork(fileURLToPath(new URL('./acked-publisher.ts', import.meta.url)), [JSON.stringify(job)], {
    execArgv: ['--import', 'tsx'],
    cwd: ROOT,
  });
  children?.add(child);
  child.once('exit', () => children?.delete(child));
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as PublisherResult));
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`publisher ended (${code ?? signal}) before reporting`)));
  });
}
