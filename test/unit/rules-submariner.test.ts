import { test } from "node:test";
import assert from "node:assert/strict";
import { codes, HEADER, only } from "../helpers";

const sites = (n: number) => `sites:\n${Array.from({ length: n }, (_, i) => `  - name: s${i}\n`).join("")}`;
const cluster = (name: string, site: string, extra = "") => `  - name: ${name}\n    site: ${site}\n${extra}`;
const sub = "    mesh: submariner\n";

test("Submariner clusters with no Broker declared: information at the first `mesh: submariner`; one cluster or a Broker anywhere is fine", () => {
  // the boundary: one joined cluster has no cluster set to exchange anything with
  assert.deepEqual(codes(`${sites(2)}clusters:\n${cluster("a", "s0", sub)}`), []);
  const two = `${sites(2)}clusters:\n${cluster("a", "s0", sub)}${cluster("b", "s1", sub)}`;
  const f = only(two, "submariner/broker-undeclared");
  assert.equal(f.length, 1);
  assert.equal(f[0].severity, "information");
  const firstMesh = (HEADER + two).split("\n").indexOf("    mesh: submariner") + 1;
  assert.equal(f[0].line, firstMesh, "where cluster a says mesh: submariner");
  assert.equal(f[0].text, "submariner");
  assert.deepEqual(f[0].related, ["submariner"], "the other joined cluster is linked");
  assert.match(f[0].message, /^Submariner joins a and b, but no cluster is marked `broker: true`\./);
  // what the Broker does, and what its loss does and does not cut
  assert.match(
    f[0].message,
    /exchange their Cluster and Endpoint records, and Lighthouse the ServiceImports and EndpointSlices of exported Services/,
  );
  assert.match(
    f[0].message,
    /Losing it does not cut the tunnels already up or the Services already imported, but until it returns no gateway failover, changed endpoint or new export reaches the other clusters/,
  );
  assert.deepEqual(codes(`${sites(2)}clusters:\n${cluster("a", "s0", sub)}${cluster("b", "s1", sub)}`), ["submariner/broker-undeclared"]);

  // a Broker on a joined cluster, or on a management cluster that joins nothing (mesh: none)
  assert.deepEqual(codes(`${sites(2)}clusters:\n${cluster("a", "s0", `${sub}    broker: true\n`)}${cluster("b", "s1", sub)}`), []);
  assert.deepEqual(
    codes(
      `${sites(3)}clusters:\n${cluster("a", "s0", sub)}${cluster("b", "s1", sub)}${cluster("mgmt", "s2", "    mesh: none\n    broker: true\n")}`,
    ),
    [],
  );
  // broker: false declares nothing
  assert.equal(
    only(
      `${sites(2)}clusters:\n${cluster("a", "s0", `${sub}    broker: false\n`)}${cluster("b", "s1", sub)}`,
      "submariner/broker-undeclared",
    ).length,
    1,
  );
  // other meshes have no Broker
  assert.deepEqual(
    codes(
      `${sites(2)}clusters:\n${cluster("a", "s0", "    mesh: clustermesh\n    id: 1\n")}${cluster("b", "s1", "    mesh: clustermesh\n    id: 2\n")}`,
    ),
    [],
  );
});

test("a large Submariner cluster set is named by its first four and linked by its first ten", () => {
  const n = 14;
  const body = `${sites(n)}clusters:\n${Array.from({ length: n }, (_, i) => cluster(`c${i}`, `s${i}`, sub)).join("")}`;
  const f = only(body, "submariner/broker-undeclared");
  assert.equal(f.length, 1);
  assert.match(f[0].message, /^Submariner joins c0, c1, c2, c3 and 10 more, but/);
  assert.equal(f[0].related.length, 10);
});
