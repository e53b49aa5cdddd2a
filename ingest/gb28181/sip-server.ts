// The SIP transport of the GB/T 28181 server: the `sip` package's stack on UDP and TCP at one port. Its sockets throw
// on a failed bind (no error handler inside the library), so the port is tried on both protocols first and a taken
// or forbidden port comes back as a clear error instead of a crash.
import dgram from 'node:dgram';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import sip, { type SipMessage, type SipRemote, type SipStack } from 'sip';
import type { Logger } from '../../core/log.ts';

export class SipPortError extends Error {
  constructor(
    readonly port: number,
    readonly protocol: 'udp' | 'tcp',
    readonly code: string | undefined,
    cause: unknown,
  ) {
    super(
      `GB/T 28181 SIP port ${port}/${protocol} cannot be opened (${code ?? (cause as Error)?.message}): ${code === 'EADDRINUSE' ? 'another program holds it' : code === 'EACCES' ? 'ports below 1024 need privileges' : 'bind failed'}; set GB_SIP_PORT to a free port, or 0 to turn GB/T 28181 off`,
    );
  }
}

function tryUdp(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    s.once('error', (err: NodeJS.ErrnoException) => {
      s.close();
      reject(new SipPortError(port, 'udp', err.code, err));
    });
    s.bind(port, host, () => s.close(() => resolve()));
  });
}

function tryTcp(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', (err: NodeJS.ErrnoException) => reject(new SipPortError(port, 'tcp', err.code, err)));
    s.listen(port, host, () => s.close(() => resolve()));
  });
}

export interface SipServerOptions {
  port: number;
  /** Listen address (0.0.0.0 = every interface). */
  host: string;
  /** The address put in Via of requests we send. */
  publicAddress: string;
  log: Logger;
}

export type RequestHandler = (rq: SipMessage, remote: SipRemote) => void;

export class SipServer {
  private stack?: SipStack;

  constructor(private readonly o: SipServerOptions) {}

  get port(): number {
    return this.o.port;
  }

  get publicAddress(): string {
    return this.o.publicAddress;
  }

  async start(handler: RequestHandler): Promise<void> {
    await tryUdp(this.o.port, this.o.host);
    await tryTcp(this.o.port, this.o.host);
    this.stack = sip.create(
      {
        port: this.o.port,
        address: this.o.host,
        publicAddress: this.o.publicAddress,
        udp: true,
        tcp: true,
        maxContentLength: 256 * 1024,
        logger: { error: (err) => this.o.log.warn({ err }, 'SIP stack error') },
      },
      (rq, remote) => {
        try {
          handler(rq, remote);
        } catch (err) {
          this.o.log.warn({ err, method: rq.method }, 'SIP request handling failed');
          this.reply(rq, 500, 'Server Internal Error');
        }
      },
    );
  }

  reply(rq: SipMessage, status: number, reason: string, extra: { headers?: Record<string, unknown>; content?: string } = {}): void {
    const rs = sip.makeResponse(rq, status, reason, extra);
    if (status > 100 && rs.headers.to && !rs.headers.to.params?.tag)
      rs.headers.to.params = { ...rs.headers.to.params, tag: randomBytes(4).toString('hex') };
    this.stack?.send(rs);
  }

  /**
   * Sends a request over the device's flow (the socket and address its REGISTER came from, the TCP connection it
   * holds) and resolves with the final response; the transaction layer retransmits over UDP and answers 408 itself
   * when the device stays silent. The flow goes in a Route the library strips: addressed by its Request-URI alone, a
   * device at the server's own address would be taken for a flow token and answered 404 by the library.
   */
  request(rq: SipMessage, flow: SipRemote): Promise<SipMessage> {
    return new Promise((resolve, reject) => {
      if (!this.stack) return reject(new Error('SIP server not started'));
      try {
        rq.headers.route = [{ uri: this.stack.encodeFlowUri(flow), params: { lr: null } }];
        this.stack.send(rq, (rs) => {
          if ((rs.status ?? 0) >= 200) resolve(rs);
        });
      } catch (err) {
        reject(err);
      }
    });
  }

  stop(): void {
    this.stack?.destroy();
    this.stack = undefined;
  }
}
