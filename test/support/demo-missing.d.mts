/** Sends one GraphQL request and returns its data; throws when the answer has errors. */
export type Ask = (query: string, variables: Record<string, unknown>) => Promise<any>;

export function reportDemoChildMissing(
  ask: Ask,
  childId: string,
  reference: string,
): Promise<{ id: string; status: string }>;
