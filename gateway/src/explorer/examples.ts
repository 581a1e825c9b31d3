/**
 * The example operations the README shows and the API explorer opens as tabs. One list: a test fails when a
 * README `graphql` block and an example differ, when either has one the other lacks, or when an example no longer
 * validates against the API schema; the cross-service tests run every example as its demo user.
 */

export interface ExampleOperation {
  /** The operation's name in its text, and the explorer tab's title. */
  name: string;
  title: string;
  /** What it shows, in a sentence. */
  description: string;
  /** The demo user whose role sees the whole answer; null when it needs no sign-in (the glossary). */
  signInAs: string | null;
  /** Exactly as in the README's code block. */
  query: string;
}

export const EXAMPLE_OPERATIONS: readonly ExampleOperation[] = [
  {
    name: "DemoChild",
    title: "The demo child, joined",
    description:
      "What police, children's social care and health each hold about Amber, in one answer, each item with its source.",
    signInAs: "social-worker",
    query: `query DemoChild {
  child(id: "999 000 0018", purpose: { code: CARE_PLANNING, reference: "CASE-0018" }) {
    givenName familyName ageYears knownTo
    socialCare {
      legalStatus { code whoDecidesWhereChildLives term { term policeDuties { must mustNot call } } }
      onCallManager { person { name phone } }
      outOfHoursPlan { returnTo doNotReturnTo whoToCall { name role phone } legalAdviceRoute }
    }
    police { missingEpisodes { reportedAt status riskLevel returnedTo heldAtPoliceStationMinutes source { department } } }
    health { mentalHealthAssessments { requestedAt status } escalationRoute { outOfHours { role phone } } }
  }
}`,
  },
  {
    name: "FindChild",
    title: "Search for a child by name",
    description: "A misspelt name still finds Amber; every search is audited with its purpose.",
    signInAs: "control-room",
    query: `query FindChild {
  children(search: { name: "ambre witlock" }, purpose: { code: MISSING_EPISODE, reference: "INC-2026-004512" }) {
    nhsNumber givenName familyName knownAs dateOfBirth knownTo score
  }
}`,
  },
  {
    name: "GlossaryLookUp",
    title: "Glossary look-ups",
    description: "A term by its id and a search by abbreviation: the only reads that need no sign-in.",
    signInAs: null,
    query: `query GlossaryLookUp {
  glossaryTerm(id: "interim-care-order") { term meaning policeDuties { must mustNot call } }
  glossarySearch(query: "s.20") { id term abbreviations }
}`,
  },
  {
    name: "RecordDecision",
    title: "A write: record a decision",
    description:
      "Children's social care records a decision that applies out of hours; it appears on the action card. Audited with the values written.",
    signInAs: "social-worker",
    query: `mutation RecordDecision {
  recordDecision(input: {
    childId: "999 000 0018"
    decision: "If Amber is found after 22:00 she may stay the night with her grandmother, Mrs Whitlock."
    decidedBy: "Leah Marsh, social worker"
    decidedAt: "2026-12-01T16:30:00Z"
    appliesOutOfHours: true
  }) { id decision decidedBy decidedAt appliesOutOfHours source { agency } }
}`,
  },
  {
    name: "MyAlerts",
    title: "Your alerts",
    description:
      "The alerts addressed to you: a child reported missing or found, a legal status changed, and why you were told.",
    signInAs: "social-worker",
    query: `query MyAlerts {
  myAlerts(unacknowledgedOnly: true, first: 20) {
    id kind childId raisedAt summary reason sourceAgency acknowledgedAt escalatedTo
  }
}`,
  },
  {
    name: "ActionCard",
    title: "Missing protocol and action card",
    description:
      "What the missing-from-care protocol says is due, and the one-page card for the officer who finds her.",
    signInAs: "control-room",
    query: `query ActionCard {
  child(id: "999 000 0018", purpose: { code: MISSING_EPISODE, reference: "INC-2026-004512" }) {
    protocol { area configuration evaluatedAt complete notEvaluated missingFacts flags { rule status dueBy reason evidence } }
    actionCard {
      child { name knownAs ageYears nhsNumber asOf source { agency } }
      legalStatus { name whoDecidesWhereChildLives meaning officerMust officerMustNot }
      whereToReturn { childMissing returnTo { text } placement { address } doNotReturnTo { text } withheld }
      whoToCall { order role name phone source { agency } }
      risks { kind text source { agency department } }
      decisions { text detail }
      gaps
    }
  }
}`,
  },
  {
    name: "WhatIfProtocol",
    title: "The protocol on invented facts",
    description: "An area's missing-protocol configuration tried on facts you supply; no child is read.",
    signInAs: "police-safeguarding",
    query: `query WhatIfProtocol {
  evaluateProtocol(area: "north-avonvale", facts: {
    asOf: "2026-11-10T09:00:00Z"
    missingEpisodes: [{ id: "ME-1", reportedAt: "2026-11-03T14:20:00Z", foundAt: "2026-11-04T09:00:00Z",
                        riskLevel: HIGH, cseIndicators: true, returnedTo: POLICE_STATION }]
  }) { rule status dueBy reason evidence }
}`,
  },
];
