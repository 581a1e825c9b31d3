/**
 * Collects the keys asked for in one tick and loads them with one call, so a gateway fetch of N children
 * costs one store query per table rather than N. Create one per request.
 */
export function createBatchLoader<K, V>(
  loadMany: (keys: K[]) => Promise<Map<K, V>>,
): (key: K) => Promise<V | undefined> {
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

/**
 * A batch loader over one table keyed by child: one query for every child asked for in a tick, each child's
 * rows mapped to the value a resolver returns (an empty row list when the table has nothing for them).
 */
export function createChildLoader<T extends { nhs_number: string }, V>(
  load: (nhsNumbers: string[]) => Promise<T[]>,
  map: (rows: T[]) => V,
): (nhsNumber: string) => Promise<V | undefined> {
  return createBatchLoader(async (ids: string[]) => {
    const groups = groupBy(await load(ids), (row) => row.nhs_number);
    return new Map(ids.map((id) => [id, map(groups.get(id) ?? [])]));
  });
}
