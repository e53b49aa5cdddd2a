import { describe, expect, it } from 'vitest';
import { decodeDoorMessage } from './door-message.ts';

const limits = { maxPayload: 1024, maxAgeMs: 90 * 86_400_000, maxAheadMs: 600_000 };
const now = new Date('2026-05-04T00:10:00Z');
const topic = 'access/prop-1/door-1/events';
const body = (o: object) =>
  Buffer.from(
    JSON.stringify({ eventId: '0B6F3C1E-5D2A-4F0E-9C1B-7A8E2F4D6C90', ts: '2026-05-04T08:03:12.480+08:00', type: 'granted', ...o }),
  );

describe('door message', () => {
  it('when valid, then ids come from the topic, the time is UTC and the credential is flattened', () => {
    const r = decodeDoorMessage(topic, body({ credential: { kind: 'card', id: 'c-1' } }), limits, now);
    expect(r).toEqual({
      ok: true,
      image: undefined,
      event: {
        eventId: '0b6f3c1e-5d2a-4f0e-9c1b-7a8e2f4d6c90',
        ts: '2026-05-04T00:03:12.480Z',
        propertyId: 'prop-1',
        doorId: 'door-1',
        type: 'granted',
        credentialKind: 'card',
        credentialId: 'c-1',
        receivedAt: now.toISOString(),
      },
    });
  });
  it('when a time has no offset, is far ahead or too old, then it is refused naming ts', () => {
    for (const ts of ['2026-05-04T08:03:12', '2026-05-05T08:03:12Z', '2025-01-01T00:00:00Z']) {
      const r = decodeDoorMessage(topic, body({ ts }), limits, now);
      expect(r.ok ? '' : r.reason).toMatch(/^schema: ts/);
    }
  });
  it('when the topic or size is wrong, then the reason says so', () => {
    expect(decodeDoorMessage('access/p/d/x', body({}), limits, now)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^bad_topic/),
    });
    expect(decodeDoorMessage(topic, Buffer.alloc(2000, 32), limits, now)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^oversized: 2000 bytes/),
    });
  });
  it('when a string carries a NUL character, then it is refused naming the field (PostgreSQL text cannot hold one)', () => {
    const r = decodeDoorMessage(topic, body({ credential: { kind: 'card', id: 'c\u00001' } }), limits, now);
    expect(r.ok ? '' : r.reason).toBe('schema: credential.id: contains a NUL character (U+0000), which the database cannot store');
  });
});
