import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster, PURPOSE } from "../support/cluster.js";

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster?.close();
});

describe("child(id)", () => {
  it.each(["9990000018", "999 000 0018", "999-000-0018", " 999 000-0018 "])(
    "tolerates spaces and hyphens: %j",
    async (id) => {
      const result = await cluster.query(`query($id: ID!) { child(id: $id, ${PURPOSE}) { id } }`, { id });
      expect(result.errors).toBeUndefined();
      expect(result.data.child.id).toBe("9990000018");
    },
  );

  it.each([
    ["9990000019", /check digit/],
    ["99900000", /10 digits; this one has 8/],
    ["999000001X", /digits only/],
    ["", /empty/],
    ["99900000180", /10 digits; this one has 11/],
  ])("rejects %j with BAD_USER_INPUT saying what is wrong", async (id, message) => {
    const result = await cluster.query(
      `query($id: ID!) { child(id: $id, ${PURPOSE}) { id police { source { agency } } } }`,
      {
        id,
      },
    );
    expect(result.data.child).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0].extensions!.code).toBe("BAD_USER_INPUT");
    expect(result.errors![0].message).toMatch(message);
    expect(JSON.stringify(result.errors)).not.toMatch(/stack|http:|127\.0\.0\.1/);
  });

  it("returns null, with no error, for a valid NHS number no agency knows", async () => {
    const result = await cluster.query(`{ child(id: "9990000077", ${PURPOSE}) { id } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data.child).toBeNull();
  });
});

describe("children(search)", () => {
  const search = (s: Record<string, unknown>) =>
    cluster.query(
      `query($s: ChildSearchInput!) { children(search: $s, ${PURPOSE}) { id givenName familyName dateOfBirth knownTo score } }`,
      { s },
    );

  it.each([
    ["Amber Whitlock", "9990000018"],
    ["amber", "9990000018"],
    ["WHITLOCK", "9990000018"],
    ["ambs", "9990000018"],
    ["amber whitlok", "9990000018"],
    ["ambre whitlock", "9990000018"],
    ["zoe ellingham", "9990000050"],
    ["Zoë", "9990000050"],
    ["nowakowsky", "9990000042"],
    ["tom nowak", "9990000042"],
  ])("finds %j, best match first", async (name, id) => {
    const result = await search({ name });
    expect(result.errors).toBeUndefined();
    expect(result.data.children[0].id).toBe(id);
  });

  it("scores an exact name 1 and returns only that child", async () => {
    const result = await search({ name: "Reuben" });
    expect(result.data.children.map((c: any) => c.id)).toEqual(["9990000069"]);
    expect(result.data.children[0].score).toBe(1);
  });

  it("narrows by date of birth", async () => {
    const all = await search({ name: "amber" });
    const dob = all.data.children[0].dateOfBirth;
    const hit = await search({ name: "amber", dateOfBirth: dob });
    expect(hit.data.children.map((c: any) => c.id)).toEqual(["9990000018"]);
    const miss = await search({ name: "amber", dateOfBirth: "2001-01-01" });
    expect(miss.data.children).toEqual([]);
  });

  it("returns nothing for a name nobody has", async () => {
    const result = await search({ name: "Xanthippe" });
    expect(result.errors).toBeUndefined();
    expect(result.data.children).toEqual([]);
  });

  it.each([
    [{ name: "a" }, /at least two letters/],
    [{ name: "amber", limit: 0 }, /between 1 and 50/],
    [{ name: "amber", limit: 500 }, /between 1 and 50/],
    [{ name: "amber", dateOfBirth: "13/01/2013" }, /YYYY-MM-DD/],
  ])("rejects %j with BAD_USER_INPUT", async (s, message) => {
    const result = await search(s);
    expect(result.errors![0].extensions!.code).toBe("BAD_USER_INPUT");
    expect(result.errors![0].message).toMatch(message);
  });

  it("treats injection strings as plain names", async () => {
    for (const name of ["'; DROP TABLE subjects; --", "amber' OR '1'='1", "%_%", "\\\\"]) {
      const result = await search({ name });
      expect(result.errors ?? [], name).toEqual(
        expect.not.arrayContaining([expect.objectContaining({ extensions: { code: "INTERNAL_SERVER_ERROR" } })]),
      );
    }
    const after = await search({ name: "amber" });
    expect(after.data.children[0].id).toBe("9990000018");
  });
});
