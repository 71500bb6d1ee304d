/** Redis Cluster's slot count: every key hashes to one of 16384 slots. */
export const CLUSTER_SLOTS = 16384;

/** CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0), the checksum Redis Cluster hashes keys with. */
const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    table[byte] = crc & 0xffff;
  }
  return table;
})();

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ byte) & 0xff];
  return crc;
}

/**
 * The cluster slot of a key, as Redis computes it: the CRC16 of the key's UTF-8 bytes modulo
 * 16384, or of its hash tag (the text between the first `{` and the next `}`, when not empty).
 * Larder groups a batch by slot with it, so each group is one command and a dead shard fails only
 * its own group.
 * @example keySlot('{user:1}:profile') === keySlot('{user:1}:cart') // true
 */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  return crc16(Buffer.from(key, 'utf8')) % CLUSTER_SLOTS;
}

/**
 * The indices of `keys` grouped by slot, in first-seen order: each group can go to Redis Cluster as
 * one multi-key command (MGET, UNLINK), and fails or succeeds on its own.
 */
export function groupBySlot(keys: readonly string[]): number[][] {
  const groups = new Map<number, number[]>();
  keys.forEach((key, index) => {
    const slot = keySlot(key);
    const group = groups.get(slot);
    if (group) group.push(index);
    else groups.set(slot, [index]);
  });
  return [...groups.values()];
}
