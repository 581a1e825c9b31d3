/**
 * Collects the keys asked for in one tick and loads them with one call, so a gateway fetch of N children
 * costs one store query per table rather than N. Create one per request.
 */
export function createBatchLoader<K, V>(loadMany: (keys: K[]) => Promise<Map<K, V>>): (key: K) => Promise<V | undefined> {
  let pending: { keys: K[]; promise: Promise<Map<K, V>> } | null = null;
  const cache = new Map<K, Promise<V | undefined>>();
  return (key: K) => {
    const cached = cache.get(key);
    if (cached) return cached;
    if (!pending) {
      const batch: { keys: K[]; promise: Promise<Map<K, V>> } = { keys: [], promise: Promise.resolve(new Map()) };
      batch.promise = Promise.resolve()
        .then(() => new Promise<void>((resolve) => process.nextTick(resolve)))
        .then(() => {
          pending = null;
          return loadMany(batch.keys);
        });
      pending = batch;
    }
    pending.keys.push(key);
    const result = pending.promise.then((values) => values.get(key));
    cache.set(key, result);
    return result;
  };
}

/** Groups rows by a key, keeping their order. */
export function groupBy<T, K>(rows: readonly T[], keyOf: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}
