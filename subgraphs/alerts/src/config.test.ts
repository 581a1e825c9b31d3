import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ALERTS_CONFIG_DIR, AlertsConfigError, isOutOfHours, loadAlertConfigs, rotaOnCallManager } from "./config.js";
import { recipientsFor, SENIOR_MANAGER_PROMPT, storedSummary } from "./recipients.js";
import { CHRIS, DUTY, GRAHAM, HELEN, IN_HOURS, LEAH, OUT_OF_HOURS, PRIYA, FIONA } from "./testing.js";

const configs = loadAlertConfigs(ALERTS_CONFIG_DIR);
const area = configs.forArea("north-avonvale");
const team = { socialWorker: LEAH, onCallManager: null };
const people = (list: { person: { email: string }; reason: string }[]) =>
  list.map(({ person, reason }) => [person.email, reason]);

describe("the areas' files", () => {
  it("loads the shipped default and demo area, and falls back to the default for an area with no file", () => {
    expect(configs.areas).toEqual(["default", "north-avonvale"]);
    expect(configs.forArea("South Avonvale").area).toBe("default");
    expect(area.people.seniorManager).toEqual(GRAHAM);
    expect(area.escalation.afterMinutes).toMatchObject({ MISSING_REPORTED: 15, LEGAL_STATUS_CHANGED: null });
  });

  describe("a bad file stops start-up, naming the file and the field", () => {
    let dir: string;
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const withFile = (name: string, change: (config: Record<string, any>) => void) => {
      dir = mkdtempSync(join(tmpdir(), "alerts-config-"));
      const config = JSON.parse(readFileSync(join(ALERTS_CONFIG_DIR, "default.json"), "utf8"));
      writeFileSync(join(dir, "default.json"), JSON.stringify(config));
      change(config);
      writeFileSync(join(dir, name), JSON.stringify(config));
      return () => loadAlertConfigs(dir);
    };

    it.each<[string, (c: Record<string, any>) => void, RegExp]>([
      ["a bad email", (c) => (c.people.edt[0].email = "chris"), /people\.edt\[0\]\.email: must be an email/],
      ["an unknown time zone", (c) => (c.timeZone = "Europe/Avonvale"), /timeZone: must be an IANA time zone/],
      ["a weekday 8", (c) => (c.officeHours.days = [1, 8]), /officeHours\.days\[1\]: must be 1 \(Monday\)/],
      ["a bank holiday that is no date", (c) => (c.officeHours.bankHolidays = ["25/12/2026"]), /bankHolidays\[0\]/],
      ["a missing senior manager", (c) => delete c.people.seniorManager, /people\.seniorManager: is missing/],
      ["an unknown field", (c) => (c.people.edtt = []), /people: unknown field "edtt"/],
      ["escalation of 0 minutes", (c) => (c.escalation.afterMinutes.FOUND = 0), /afterMinutes\.FOUND: must be at/],
      ["an unknown call-order step", (c) => (c.escalation.callOrder = ["MAYOR"]), /callOrder\[0\]: must be one of/],
      ["office hours ending before they start", (c) => (c.officeHours.end = "08:00"), /officeHours\.end: start/],
    ])("%s", (_case, change, message) => {
      const load = withFile("north-avonvale.json", (c) => {
        c.area = "north-avonvale";
        change(c);
      });
      expect(load).toThrow(AlertsConfigError);
      expect(load).toThrow(/north-avonvale\.json: /);
      expect(load).toThrow(message);
    });

    it("a file whose area differs from its name", () => {
      expect(withFile("east.json", (c) => (c.area = "west"))).toThrow(/east\.json: area: is "west"/);
    });
  });
});

describe("out of hours, in the area's own time zone", () => {
  it.each([
    ["a summer weekday 09:30 BST (08:30 UTC)", "2026-07-15T08:30:00Z", false],
    ["a summer weekday 08:30 BST (07:30 UTC)", "2026-07-15T07:30:00Z", true],
    ["a summer weekday 16:30 BST (15:30 UTC)", "2026-07-15T15:30:00Z", false],
    ["a summer weekday 17:30 BST (16:30 UTC, which would be in hours in GMT)", "2026-07-15T16:30:00Z", true],
    ["a winter weekday 16:59 GMT", "2026-12-09T16:59:00Z", false],
    ["a winter weekday 17:00 GMT", "2026-12-09T17:00:00Z", true],
    ["a Saturday midday", "2026-12-12T12:00:00Z", true],
    ["the Boxing Day substitute bank holiday, a Monday", "2026-12-28T12:00:00Z", true],
    ["Good Friday 2027 (BST has not begun)", "2027-03-26T12:00:00Z", true],
  ])("%s", (_case, instant, outOfHours) => {
    expect(isOutOfHours(area, new Date(instant))).toBe(outOfHours);
  });

  it("the rota's manager covers their week, and the standing on-call manager any other time", () => {
    expect(rotaOnCallManager(area, new Date("2026-12-05T02:00:00Z"))).toEqual(FIONA);
    const other = { ...area, people: { ...area.people, onCallRota: [] } };
    expect(rotaOnCallManager(other, new Date("2026-12-05T02:00:00Z"))).toEqual(area.people.onCallManager);
  });
});

describe("who is told", () => {
  it("a missing child in hours: the allocated social worker only", () => {
    expect(people(recipientsFor("MISSING_REPORTED", area, team, IN_HOURS))).toEqual([
      [LEAH.email, "allocated social worker"],
    ]);
  });

  it("out of hours: also EDT and the on-call manager (the rota's when the child has none named)", () => {
    expect(people(recipientsFor("FOUND", area, team, OUT_OF_HOURS))).toEqual([
      [LEAH.email, "allocated social worker"],
      [CHRIS.email, "out of hours: EDT"],
      [FIONA.email, "out of hours: on-call manager"],
    ]);
  });

  it("the child's named on-call manager rather than the rota's; a person named twice is told once, first reason", () => {
    const named = { socialWorker: LEAH, onCallManager: CHRIS };
    expect(people(recipientsFor("HELD_AT_POLICE_STATION", area, named, OUT_OF_HOURS))).toEqual([
      [LEAH.email, "allocated social worker"],
      [CHRIS.email, "out of hours: EDT"],
    ]);
  });

  it("no known social worker: the duty team", () => {
    expect(people(recipientsFor("MISSING_REPORTED", area, null, IN_HOURS))).toEqual([
      [DUTY.email, "no allocated social worker known: duty team"],
    ]);
  });

  it("a legal status change: the police control room and police safeguarding, in hours or out", () => {
    for (const at of [IN_HOURS, OUT_OF_HOURS])
      expect(people(recipientsFor("LEGAL_STATUS_CHANGED", area, team, at))).toEqual([
        [PRIYA.email, "police control room"],
        [HELEN.email, "police safeguarding"],
      ]);
  });

  it("protocol overdue and mental health escalation", () => {
    expect(people(recipientsFor("PROTOCOL_OVERDUE", area, team, OUT_OF_HOURS))).toEqual([
      [LEAH.email, "allocated social worker"],
      [FIONA.email, "out of hours: on-call manager"],
    ]);
    expect(people(recipientsFor("MENTAL_HEALTH_ESCALATION_DUE", area, team, IN_HOURS))).toEqual([
      ["nadia.rahman@avonvale.nhs.example", "CAMHS"],
      [LEAH.email, "allocated social worker"],
    ]);
  });

  it("held at a police station: the summary carries the senior-manager prompt", () => {
    expect(storedSummary("HELD_AT_POLICE_STATION", "Amber held.")).toBe(`Amber held. ${SENIOR_MANAGER_PROMPT}`);
    expect(storedSummary("FOUND", "Amber found.")).toBe("Amber found.");
  });
});
