// Deterministic UUIDs (name-based, SHA-1 like RFC 4122 v5): a redelivered message yields the same ids, so
// derived records (face captures, health samples) stay idempotent.
import { createHash } from 'node:crypto';

export function uuidFrom(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('\u0000')).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
