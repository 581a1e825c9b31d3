import DataLoader from "dataloader";
import type { Kysely } from "kysely";
import { reusableQuery } from "@safeguarding/shared/store";

/**
 * Collects the keys asked for in one tick and loads them with one call, so a gateway fetch of N children
 * costs one store query per table rather than N. Create one per request: it remembers every key it loaded for as
 * long as it lives. A DataLoader underneath; this shape (a function, `undefined` for a key the map lacks) is kept for
 * callers that load by something other than a child (an area, the gateway's index).
 */
export function createBatchLoader<K, V>(
  loadMany: (keys: K[]) => Promise<Map<K, V>>,
): (key: K) => Promise<V | undefined> {
  const loader = new DataLoader<K, V | undefined>(async (keys) => {
    const values = await loadMany([...keys]);
    return keys.map((key) => values.get(key));
  });
  return (key) => loader.load(key);
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

/** The tables of a store whose rows are about one child: each carries the child's NHS number. */
export type ChildTable<DB> = {
  [T in keyof DB & string]: DB[T] extends { nhs_number: string } ? T : never;
}[keyof DB & string];

export interface RowsByChildOptions<Row, V> {
  /** Newest first by this column; without it the rows come in the store's order (tables of one row a child). */
  newestFirst?: keyof Row & string;
  /** Only rows where this column is empty: a placement that has not ended. */
  whereNull?: keyof Row & string;
  /** One child's rows (an empty list when the table has none for them) to the value the resolver returns. */
  map: (rows: Row[]) => V;
}

/** A child table's rows for some children, newest first or filtered as the options say: built once per shape. */
const childRows = reusableQuery({
  shape: (table: string, options: RowsByChildOptions<any, unknown>, nhsNumbers: readonly string[]) =>
    `rows ${table} ${options.whereNull ?? ""} ${options.newestFirst ?? ""} ${nhsNumbers.length}`,
  build: (db, table, options, nhsNumbers) => {
    let query = db
      .selectFrom(table)
      .selectAll()
      .where("nhs_number", "in", [...nhsNumbers]);
    if (options.whereNull) query = query.where(options.whereNull, "is", null);
    if (options.newestFirst) query = query.orderBy(options.newestFirst, "desc");
    return query;
  },
  parameters: (_table, _options, nhsNumbers) => nhsNumbers,
});

/**
 * Rows of one table for the children a request asks about: one query for every child asked for in a tick, each
 * child's rows mapped to what its resolver returns. Create one per request (createLoaders does).
 */
export function rowsByChild<DB, T extends ChildTable<DB>, V>(
  store: Kysely<DB>,
  table: T,
  options: RowsByChildOptions<DB[T], V>,
): (nhsNumber: string) => Promise<V> {
  // Kysely cannot follow a table chosen by a type parameter; the options' type checks the column names instead.
  const db = store as unknown as Kysely<any>;
  const loader = new DataLoader<string, V>(async (nhsNumbers) => {
    const rows = (await childRows(db, table, options, nhsNumbers)) as (DB[T] & { nhs_number: string })[];
    const byChild = groupBy(rows, (row) => row.nhs_number);
    return nhsNumbers.map((id) => options.map(byChild.get(id) ?? []));
  });
  return (nhsNumber) => loader.load(nhsNumber);
}
