/**
 * Event uuids in UUIDv7 layout (RFC 9562 §5.7): 48 bits of the event's millisecond, then a 12-bit
 * sequence that increases within the millisecond on this node, then random bits. The log pages in
 * (published, uuid) order, so events recorded in one millisecond keep the order they happened in.
 */
import { fillRandom } from '../crypto/ids.js';

let lastMs = -1;
let seq = 0;

export function eventUuid(publishedMs: number): string {
  if (publishedMs === lastMs) {
    seq = (seq + 1) & 0xfff;
  } else {
    lastMs = publishedMs;
    seq = 0;
  }
  // From the pool of crypto/ids.ts: a randomBytes() call per event cost more than the rest of the uuid.
  const bytes = fillRandom(Buffer.allocUnsafe(16));
  const ms = Math.max(0, Math.floor(publishedMs));
  bytes.writeUIntBE(ms % 2 ** 48, 0, 6);
  bytes[6] = 0x70 | (seq >> 8);
  bytes[7] = seq & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
