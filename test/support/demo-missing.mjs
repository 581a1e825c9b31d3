// Reporting the demo child missing, as the alerts tests do it (test/integration/child-alerts.test.ts,
// test/portal/alerts.test.ts, test/deploy/run.mjs): through the gateway as a police officer, with `ask` the caller's
// way of sending one GraphQL request and returning its data (throwing on errors). Plain JavaScript, so the deploy
// script can import it as well as the TypeScript tests.

const minutesAgo = (minutes) => new Date(Date.now() - minutes * 60_000).toISOString();

const write = async (ask, mutation, input) => {
  const type = `${mutation[0].toUpperCase()}${mutation.slice(1)}Input`;
  return (await ask(`mutation($input: ${type}!) { ${mutation}(input: $input) { id status } }`, { input }))[mutation];
};

/**
 * Reports the demo child missing and returns the new episode. The seed has her missing already, and police refuse a
 * second open episode, so the open one is closed first (found, back at the placement: a FOUND alert, then the
 * MISSING_REPORTED the tests wait for).
 */
export async function reportDemoChildMissing(ask, childId, reference) {
  const record = await ask(
    `query($id: ID!) { child(id: $id, purpose: { code: MISSING_EPISODE, reference: "${reference}" }) { police { missingEpisodes { id status } } } }`,
    { id: childId },
  );
  const open = record.child.police.missingEpisodes.find((episode) => episode.status === "MISSING");
  if (open)
    await write(ask, "recordFound", {
      episodeId: open.id,
      foundAt: minutesAgo(30),
      foundLocation: "Avonvale bus station",
      foundBy: "PC 1180 Sam Reid",
      returnedTo: "PLACEMENT",
    });
  return write(ask, "reportMissing", {
    childId,
    reportedAt: minutesAgo(1),
    reportedBy: "Sandra Okoye, foster carer",
    lastSeenAt: minutesAgo(10),
    lastSeenLocation: "Orchard Lane",
    riskLevel: "HIGH",
    cseIndicators: false,
    department: "Control Room",
  });
}
