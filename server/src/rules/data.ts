import type { Finding } from "../model/finding";
import type { Store } from "../model/topology";
import { lagBytesNeeded } from "../math/lag";
import { ceil, cmp, fromNumber } from "../math/rational";
import { singlePrimaryEngine, type SinglePrimaryEngine } from "../derive/engines";
import { declaredSites } from "../derive/meshes";
import { bytes, count, seconds } from "../util/format";
import { finding, type TopologyContext } from "./context";

/** data/*: writers without a conflict policy or on a single-primary engine, replication lag that does not fit. */
export function dataRules(ctx: TopologyContext): Finding[] {
  return ctx.topology.stores.flatMap((s) => {
    const name = s.name?.value ?? `stores[${s.index}]`;
    return [...writerFindings(ctx, s, name), ...lagBuffer(s, name)];
  });
}

/** The sites an async or crdt store takes writes in (declared ones only), when it lists writers. */
function writerSites(ctx: TopologyContext, s: Store): string[] | undefined {
  const rep = s.replication?.value;
  return (rep === "async" || rep === "crdt") && s.writers ? declaredSites(ctx, s.writers.items) : undefined;
}

/** data/multi-writer-without-conflict-policy, then data/single-primary-writers. */
function writerFindings(ctx: TopologyContext, s: Store, name: string): Finding[] {
  const sites = writerSites(ctx, s);
  if (!sites || sites.length < 2 || !s.writers) return [];
  const out: Finding[] = [];
  // replication: crdt merges by construction: an absent conflictResolution is the CRDT merge, as the
  // what-if engine and the record read it (review M88); an explicit `none` still contradicts it
  const policy = s.conflictResolution?.value ?? (s.replication?.value === "crdt" ? "crdt" : undefined);
  const keepOne = { kind: "single-writer", title: `Keep a single writer (\`${sites[0]}\`)`, args: { site: sites[0] } } as const;
  if (policy === undefined || policy === "none") {
    out.push(
      finding(
        "data/multi-writer-without-conflict-policy",
        s.writers.keySpan,
        `store ${name} takes writes in ${sites.length} sites (${sites.join(", ")}) with ${policy ? "conflictResolution: none" : "no conflictResolution"}: concurrent writes to one key in two sites diverge`,
        { fixes: [keepOne] },
      ),
    );
  }
  const engine = singlePrimaryEngine(s.engine?.value);
  if (engine && s.engine) {
    out.push(
      finding(
        "data/single-primary-writers",
        s.writers.keySpan,
        `store ${name} (engine ${s.engine.value}) takes writes in ${sites.length} sites (${sites.join(", ")}), but ${SINGLE_PRIMARY[engine](policy === "crdt")}. Name that layer in \`engine\`, or keep one writer`,
        {
          fixes: [keepOne],
          related: [{ span: s.engine.span, message: `${engine} takes writes on one primary` }],
        },
      ),
    );
  }
  return out;
}

/**
 * Why a single-primary engine cannot take the writes of several sites, what it would need, and
 * (`crdt`: the design says conflicts merge as CRDTs) how far that holds there.
 */
const SINGLE_PRIMARY: Record<SinglePrimaryEngine, (crdt: boolean) => string> = {
  PostgreSQL: (crdt) =>
    "PostgreSQL takes writes on one primary: its streaming and logical replication do not merge concurrent writes from two sites. Several writers need a multi-master layer such as EDB Postgres Distributed (BDR) or pgEdge, whose default conflict handling is last update wins per row: the other site's change to that row is discarded" +
    (crdt
      ? " — `conflictResolution: crdt` holds there only for columns declared as CRDTs (PGD's CRDT types with column-level conflict detection, pgEdge's delta-apply columns); every other column of a conflicting row is last update wins"
      : ""),
  MySQL: (crdt) =>
    mysqlText(
      "MySQL",
      "Galera or Percona XtraDB Cluster (declare `replication: galera`), or Group Replication in multi-primary mode",
      crdt,
    ),
  MariaDB: (crdt) => mysqlText("MariaDB", "MariaDB Galera Cluster (declare `replication: galera`)", crdt),
};

function mysqlText(engine: string, layers: string, crdt: boolean): string {
  return (
    `${engine} replication has one writable source: two-way asynchronous replication resolves no conflict — the same row changed in both sites stops replication (duplicate key, missing row) or ends with a different value in each site. Several writers need a multi-primary layer: ${layers}, which certifies each commit across the members (one WAN round trip per commit; the later of two conflicting transactions is rolled back)` +
    (crdt ? ` — ${engine} has no CRDT types: \`conflictResolution: crdt\` can only be the application's own merge` : "")
  );
}

/** data/lag-buffer: maxLagSeconds of writes must fit lagBufferBytes. */
function lagBuffer(s: Store, name: string): Finding[] {
  const { maxLagSeconds: lag, writeRatePerSecond: rate, writeBytes: size, lagBufferBytes: buffer } = s;
  if (s.replication?.value !== "async" || !lag || !rate || !size || !buffer) return [];
  const needed = lagBytesNeeded(lag.value, rate.value, size.value);
  if (cmp(needed, fromNumber(buffer.value)) <= 0) return [];
  const need = ceil(needed);
  return [
    finding(
      "data/lag-buffer",
      buffer.span,
      `store ${name}: ${seconds(lag.value, 2)} of lag × ${count(rate.value)} writes/s × ${count(size.value)} bytes = ${bytes(need)}, more than lagBufferBytes ${bytes(buffer.value)}; the buffer covers ${seconds(buffer.value / (rate.value * size.value))}`,
      {
        // a buffer past 2^53 − 1 bytes could not be written exactly (value/too-large): no fix then
        fixes:
          need <= BigInt(Number.MAX_SAFE_INTEGER)
            ? [
                {
                  kind: "replace",
                  title: `Set lagBufferBytes to ${count(need)}`,
                  span: buffer.span,
                  text: need.toString(),
                  preferred: true,
                },
              ]
            : [],
      },
    ),
  ];
}
