/**
 * A copy of `bytes[start, end)` that owns its memory. Batches are often Buffers, whose `slice` is a
 * view (unlike Uint8Array's): a "copy" made with it would change when the engine reuses the page.
 */
export function copyBytes(bytes: Uint8Array, start = 0, end = bytes.byteLength): Uint8Array {
  return new Uint8Array(bytes.subarray(start, end));
}
