/**
 * Compares two strings in the order of their UTF-8 bytes, the order Redis gives equal scores
 * (memcmp), without encoding them. UTF-16 code units sort like code points except that surrogates
 * (D800-DFFF, which encode code points above FFFF) must sort after E000-FFFF: shifting both ranges
 * puts them in place.
 * @example compareUtf8('\uFB00', '😀') < 0 // true, although '\uFB00' > '😀' in JavaScript's own order
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return utf8Weight(x) - utf8Weight(y);
  }
  return a.length - b.length;
}

function utf8Weight(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}
