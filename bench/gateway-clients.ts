// The benchmark's clients, run in a worker thread so they do not share the gateway's event loop: an HTTP load
// loop and a crowd of socket.io clients. Plain JavaScript (eval'd), so the worker needs no TypeScript loader.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const HTTP_LOOP = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
(async () => {
  const { urls, token, requests, concurrency } = workerData;
  const out = [];
  let i = 0;
  let left = requests;
  const worker = async () => {
    while (left-- > 0) {
      const url = urls[i++ % urls.length];
      const t0 = performance.now();
      const res = await fetch(url, { headers: { authorization: 'Bearer ' + token } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error('GET ' + url + ': ' + res.status);
      out.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  parentPort.postMessage(out);
})().catch((err) => parentPort.postMessage({ error: String(err) }));
`;

const SOCKETS = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const { io } = require(workerData.clientModule);
(async () => {
  const { url, token, clients } = workerData;
  const sockets = [];
  const received = [];
  for (let c = 0; c < clients; c += 50) {
    await Promise.all(Array.from({ length: Math.min(50, clients - c) }, () => new Promise((resolve, reject) => {
      const s = io(url, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
      sockets.push(s);
      // Wall-clock in ms with sub-ms precision, comparable across threads.
      s.on('alert', (a) => received.push([a.alertId, performance.timeOrigin + performance.now()]));
      s.once('ready', resolve);
      s.once('connect_error', reject);
    })));
  }
  parentPort.postMessage({ ready: sockets.length });
  parentPort.on('message', (m) => {
    if (m === 'report') parentPort.postMessage({ received });
    if (m === 'close') { for (const s of sockets) s.close(); parentPort.close(); }
  });
})().catch((err) => parentPort.postMessage({ error: String(err) }));
`;

/** Runs the HTTP loop in a worker; resolves with the sorted latencies in ms. */
export function httpLoad(urls: string[], token: string, requests: number, concurrency: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const w = new Worker(HTTP_LOOP, { eval: true, workerData: { urls, token, requests, concurrency } });
    w.once('message', (m: number[] | { error: string }) => {
      void w.terminate();
      if (Array.isArray(m)) resolve(m.sort((a, b) => a - b));
      else reject(new Error(m.error));
    });
    w.once('error', reject);
  });
}

export interface SocketCrowd {
  /** [alertId, wall-clock ms] for every alert every client received so far. */
  report(): Promise<Array<[string, number]>>;
  close(): Promise<void>;
}

/** Connects `clients` socket.io clients in a worker; resolves once all have their rooms. */
export function socketCrowd(url: string, token: string, clients: number): Promise<SocketCrowd> {
  return new Promise((resolve, reject) => {
    const clientModule = createRequire(import.meta.url).resolve('socket.io-client');
    const w = new Worker(SOCKETS, { eval: true, workerData: { url, token, clients, clientModule } });
    w.once('error', reject);
    w.once('message', (m: { ready?: number; error?: string }) => {
      if (m.error) return reject(new Error(m.error));
      resolve({
        report: () =>
          new Promise((res) => {
            w.once('message', (r: { received: Array<[string, number]> }) => res(r.received));
            w.postMessage('report');
          }),
        close: async () => {
          w.postMessage('close');
          await new Promise((r) => setTimeout(r, 200));
          await w.terminate();
        },
      });
    });
  });
}
