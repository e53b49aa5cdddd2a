// Types for the parts of the `sip` package (kirm/sip.js, plain JavaScript) that GB/T 28181 uses.
declare module 'sip' {
  export interface SipUri {
    schema?: string;
    user?: string;
    password?: string;
    host: string;
    port?: number;
    params: Record<string, string | null | undefined>;
    headers?: Record<string, string>;
  }
  export interface SipAddress {
    name?: string;
    uri: string | SipUri;
    params: Record<string, string | null | undefined>;
  }
  export interface SipMessage {
    method?: string;
    uri?: string | SipUri;
    version?: string;
    status?: number;
    reason?: string;
    headers: Record<string, any>;
    /** The body as a binary (latin1) string: one character per byte. */
    content?: string;
  }
  export interface SipRemote {
    protocol: string;
    address: string;
    port: number;
    local?: { address: string; port: number };
  }
  export interface SipStack {
    send(m: SipMessage, cb?: (rs: SipMessage) => void): void;
    destroy(): void;
    hostname(): string;
    /** A URI at this stack's own host whose user encodes the flow: a request routed to it leaves by that flow. */
    encodeFlowUri(flow: SipRemote): SipUri;
  }
  export interface SipOptions {
    port?: number;
    address?: string;
    publicAddress?: string;
    hostname?: string;
    udp?: boolean;
    tcp?: boolean;
    maxBytesHeaders?: number;
    maxContentLength?: number;
    logger?: {
      error?: (e: unknown) => void;
      send?: (m: SipMessage, target: unknown) => void;
      recv?: (m: SipMessage, remote: SipRemote) => void;
    };
  }
  export function create(options: SipOptions, handler: (m: SipMessage, remote: SipRemote) => void): SipStack;
  export function parse(s: string | Buffer): SipMessage | undefined;
  export function stringify(m: SipMessage): string;
  export function makeResponse(
    rq: SipMessage,
    status: number,
    reason?: string,
    extension?: { headers?: Record<string, any>; content?: string },
  ): SipMessage;
  export function parseUri(s: string | SipUri): SipUri;
  export function stringifyUri(u: string | SipUri): string;
  export function generateBranch(): string;
  /** Frames SIP messages out of a TCP stream read with setEncoding('binary'). */
  export function makeStreamParser(onMessage: (m: SipMessage) => void, onFlood?: () => void): (data: string) => void;
  const sip: {
    makeStreamParser: typeof makeStreamParser;
    create: typeof create;
    parse: typeof parse;
    stringify: typeof stringify;
    makeResponse: typeof makeResponse;
    parseUri: typeof parseUri;
    stringifyUri: typeof stringifyUri;
    generateBranch: typeof generateBranch;
  };
  export default sip;
}

declare module 'sip/digest.js' {
  import type { SipMessage } from 'sip';
  export function calculateDigest(ctx: {
    ha1: string;
    method: string;
    nonce: string;
    nc?: string;
    cnonce?: string;
    qop?: string;
    uri: string;
    entity?: string;
  }): string;
  export function calculateUserRealmPasswordHash(user: string, realm: string, password: string): string;
  export function signRequest(
    ctx: object | null | undefined,
    rq: SipMessage,
    rs?: SipMessage,
    creds?: { user: string; password: string; realm?: string },
  ): object | null;
  const digest: {
    calculateDigest: typeof calculateDigest;
    calculateUserRealmPasswordHash: typeof calculateUserRealmPasswordHash;
    signRequest: typeof signRequest;
  };
  export default digest;
}
