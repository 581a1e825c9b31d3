/**
 * The operations the control-room client sends, named and fixed. With trusted documents on (TRUSTED_DOCUMENTS),
 * these and the portal's action card are the only operations the gateway runs; `npm run trusted-documents` writes
 * the manifest from this list and the portal's query.
 */
export const CLIENT_OPERATIONS: { name: string; body: string }[] = [
  {
    name: "ControlRoomChild",
    body: `query ControlRoomChild($id: ID!, $purpose: AccessPurposeInput!) {
  child(id: $id, purpose: $purpose) {
    id nhsNumber givenName familyName knownAs dateOfBirth ageYears knownTo identityDiscrepancies
    socialCare {
      legalStatus { code startedAt court conditions whoDecidesWhereChildLives term { term meaning policeDuties { must mustNot call } } }
      placement { name address phone }
      onCallManager { person { name role phone } }
      outOfHoursPlan { returnTo doNotReturnTo whoToCall { name role phone } legalAdviceRoute notes updatedAt }
      decisions { decision decidedBy decidedAt appliesOutOfHours }
    }
    police { missingEpisodes { id status reportedAt lastSeenAt lastSeenLocation riskLevel foundAt returnedTo } warningMarkers { marker detail } }
    health { mentalHealthAssessments { requestedAt status scheduledFor } escalationRoute { outOfHours { position role contact phone availability } } }
    protocol { flags { rule status dueBy reason } }
  }
}`,
  },
  {
    name: "FindChild",
    body: `query FindChild($search: ChildSearchInput!, $purpose: AccessPurposeInput!) {
  children(search: $search, purpose: $purpose) { id nhsNumber givenName familyName knownAs dateOfBirth ageYears knownTo score }
}`,
  },
  {
    name: "GlossarySearch",
    body: `query GlossarySearch($query: String!) {
  glossarySearch(query: $query) { id term abbreviations meaning policeDuties { must mustNot call } }
}`,
  },
  {
    name: "AccessLog",
    body: `query AccessLog($childId: ID!, $from: DateTime, $to: DateTime) {
  accessLog(childId: $childId, from: $from, to: $to) { at userName role organisation purpose { code reference agreement } sections fieldsDenied outcome }
}`,
  },
];
