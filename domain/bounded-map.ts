// A Map used as a bounded memory of recent answers: insertion order is age, so the oldest entry is the first key.
// Pure (bundled into workflow code with domain/calendar.ts); the caches of the API, the register and the personal
// data keys use it too, rather than each spelling it out.

/** Sets `key` as the newest entry of `map`, dropping the oldest ones beyond `limit` entries. */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  map.delete(key);
  while (map.size >= limit) map.delete(map.keys().next().value as K);
  map.set(key, value);
}
