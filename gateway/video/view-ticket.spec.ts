// View tickets: accepted while fresh and unaltered, refused when expired, edited or signed with another secret.
import { describe, expect, it } from 'vitest';
import { ViewTickets } from './view-ticket.ts';
import { ViewerLimits } from './viewer-limits.ts';

describe('ViewTickets', () => {
  const t = new ViewTickets('secret-1');
  const claims = { kind: 'live' as const, cameraId: 'cam-1', user: 'monitor1' };

  it('when a ticket is opened before it expires, then it gives back its claims; after, nothing', () => {
    const ticket = t.issue(claims, 60_000, 1000);
    expect(t.open(ticket, 2000)).toMatchObject(claims);
    expect(t.open(ticket, 61_001)).toBeUndefined();
  });

  it('when a ticket is edited or made with another secret, then it is refused', () => {
    const ticket = t.issue(claims, 60_000, 1000);
    const [, sig] = ticket.split('.');
    const forged = `${Buffer.from(JSON.stringify({ ...claims, cameraId: 'cam-2', exp: 99_999 })).toString('base64url')}.${sig}`;
    expect(t.open(forged, 2000)).toBeUndefined();
    expect(new ViewTickets('secret-2').open(ticket, 2000)).toBeUndefined();
    expect(t.open('garbage', 2000)).toBeUndefined();
  });
});

describe('ViewerLimits', () => {
  it('when a camera has its viewers, then the next is refused for the camera; when all seats are taken, for the total', () => {
    const l = new ViewerLimits({ perCamera: 2, total: 3 });
    const a = l.take('c1');
    l.take('c1');
    expect(l.take('c1')).toEqual({ refused: 'camera' });
    l.take('c2');
    expect(l.take('c3')).toEqual({ refused: 'total' });
    if ('release' in a) a.release();
    expect(l.viewers()).toBe(2);
    expect('release' in l.take('c3')).toBe(true);
  });
});
