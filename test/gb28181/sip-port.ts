// A SIP port in the GB engineer's test range (25000-25999) free on both UDP and TCP at this moment.
import dgram from 'node:dgram';
import net from 'node:net';

const free = (port: number) =>
  new Promise<boolean>((resolve) => {
    const u = dgram.createSocket('udp4');
    u.once('error', () => (u.close(), resolve(false)));
    u.bind(port, '0.0.0.0', () => {
      const t = net.createServer();
      t.once('error', () => u.close(() => resolve(false)));
      t.listen(port, '0.0.0.0', () => t.close(() => u.close(() => resolve(true))));
    });
  });

export async function freeSipPort(from = 25000, to = 25999): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = from + Math.floor(Math.random() * (to - from + 1));
    if (await free(port)) return port;
  }
  throw new Error(`no free SIP port in ${from}-${to}`);
}
