import { PURPOSE } from "./cluster.js";
/** The full record a control room would ask for: every section, with provenance on every item. */
const provenance = "recordedAt recordedBy source { agency system department }";

export const FULL_CHILD_QUERY = /* GraphQL */ `
  query Child($id: ID!) {
    child(id: $id, ${PURPOSE}) {
      id nhsNumber givenName familyName knownAs dateOfBirth ageYears knownTo identityDiscrepancies
      police {
        source { agency system department }
        missingEpisodes {
          id status reportedAt reportedBy lastSeenAt lastSeenLocation riskLevel cseIndicators foundAt foundLocation
          returnedTo heldAtPoliceStationMinutes seniorManagerNotifiedAt department ${provenance}
        }
        policeProtection { id startedAt endedAt initiatingOfficer designatedOfficer ${provenance} }
        cseConcerns { id summary status officer ${provenance} }
        warningMarkers { id marker detail ${provenance} }
        officerInCase { name role phone ${provenance} }
      }
      socialCare {
        source { agency system department }
        legalStatus { code startedAt endedAt court conditions whoDecidesWhereChildLives ${provenance} }
        legalStatusHistory { code startedAt endedAt ${provenance} }
        childProtectionPlan { category startedAt ${provenance} }
        placement { typeCode name address carer phone startedAt ${provenance} }
        socialWorker { person { name phone } ${provenance} }
        teamManager { person { name phone } ${provenance} }
        onCallManager { person { name role phone } ${provenance} }
        outOfHoursPlan { returnTo doNotReturnTo whoToCall { name role phone } legalAdviceRoute updatedAt updatedBy ${provenance} }
        decisions { id decision decidedBy decidedAt appliesOutOfHours ${provenance} }
        strategyDiscussions { id heldAt agenciesPresent decisions actions { action owner dueAt doneAt } minutesSharedAt ${provenance} }
        riskManagementMeetings { id heldAt ${provenance} }
        returnInterviews { id missingEpisodeId heldAt ${provenance} }
        education { school attendancePlan ${provenance} }
      }
      health {
        source { agency system department }
        gpPractice { name phone ${provenance} }
        camhsReferrals { id referredAt referredBy urgency status ${provenance} }
        mentalHealthAssessments { id requestedAt requestedBy status completedAt outcomeSummary ${provenance} }
        escalationRoute {
          inHours { position role contact phone escalateIfNoResponseWithinMinutes }
          outOfHours { position role contact phone escalateIfNoResponseWithinMinutes }
        }
      }
    }
  }
`;

/** Walks a result and returns every object that carries provenance, with its path. */
export function recordedItems(value: unknown, path = "$"): { path: string; item: Record<string, unknown> }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => recordedItems(v, `${path}[${i}]`));
  if (value && typeof value === "object") {
    const item = value as Record<string, unknown>;
    const own = "recordedAt" in item ? [{ path, item }] : [];
    return [...own, ...Object.entries(item).flatMap(([k, v]) => recordedItems(v, `${path}.${k}`))];
  }
  return [];
}
