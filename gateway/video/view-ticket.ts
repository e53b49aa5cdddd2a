// Short-lived tickets for media a <video> or <img> element opens by URL (it cannot send a bearer header): the
// signed camera or clip, who asked and until when. Signed with a key derived from the token secret, so any gateway
// of the deployment accepts a ticket another one issued.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface TicketClaims {
  /** `live` (a camera's live view) or `clip` (one stored clip). */
  kind: 'live' | 'clip';
  cameraId: string;
  alertId?: string;
  user: string;
  /** Expiry, ms since the epoch. */
  exp: number;
}

export class ViewTickets {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('gridwatch view tickets').digest();
  }

  issue(c: Omit<TicketClaims, 'exp'>, ttlMs: number, now: number): string {
    const body = Buffer.from(JSON.stringify({ ...c, exp: now + ttlMs })).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** The claims when the ticket is genuine and not expired; undefined otherwise. */
  open(ticket: string, now: number): TicketClaims | undefined {
    const [body, sig] = ticket.split('.');
    if (!body || !sig) return undefined;
    const want = Buffer.from(this.sign(body));
    const got = Buffer.from(sig);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
    try {
      const c = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TicketClaims;
      return typeof c.exp === 'number' && c.exp > now ? c : undefined;
    } catch {
      return undefined;
    }
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
