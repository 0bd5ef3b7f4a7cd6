import type { Finding, FixHint } from "../model/finding";
import { add, ceil, cmp, fromNumber, type Rational, toNumber } from "../math/rational";
import { backendSites, loadOf, overCapacity, scenarios, type LoadBackend, type Scenario } from "../math/traffic";
import type { Store, Traffic } from "../model/topology";
import type { F } from "../model/yamlnodes";
import { finding, type TopologyContext } from "./context";
import { DNS_STEERING, judgedScenarios, loadBackends, shiftOf, TTL_RANGE } from "../derive/loads";
import { declaredSites } from "../derive/meshes";
import { count, loadWords, rps, rpsOver, seconds } from "../util/format";
import { rtoEstimate } from "../availability/figures";

/**
 * "Rebalance weights to capacity" (weights := capacityRps), offered only where it makes the
 * finding go away for backend `i` and overloads no backend in a scenario (all up, or a
 * single-site loss) where the current weights did not: with weights proportional to capacity,
 * a backend is never overloaded with every site up while peak ≤ Σ capacity, but a site loss
 * may still be — and a backend that had weight 0 starts taking load when its peers go.
 */
function rebalanceFix(backends: readonly LoadBackend[], peak: number, i: number, afterLoss: boolean): FixHint[] {
  const caps = backends.map((b) => b.capacity).filter((c): c is number => c !== undefined && Number.isInteger(c) && c > 0);
  if (caps.length < backends.length) return [];
  const rebalanced = backends.map((b, k) => ({ ...b, weight: caps[k] }));
  const after = scenarios(peak, rebalanced);
  const stillBad = (afterLoss ? after.slice(1) : [after[0]]).some((s) => overCapacity(s, i));
  const before = scenarios(peak, backends);
  const newlyBad = after.some((s, k) => backends.some((_, j) => overCapacity(s, j) && !overCapacity(before[k], j)));
  return stillBad || newlyBad ? [] : [{ kind: "rebalance-weights", title: "Rebalance weights to capacity", args: { weights: caps } }];
}

/** traffic/* and capacity/*: steering hygiene, single-site state, load with every site up and after each loss. */
export function trafficRules(ctx: TopologyContext): Finding[] {
  return ctx.topology.traffic.flatMap((tr) => {
    const name = tr.name?.value ?? `traffic[${tr.index}]`;
    const out = [...ttl(tr, name), ...anycastLongLived(tr, name), ...ignoredFields(tr, name)];
    const backends = loadBackends(ctx, tr);
    if (!backends) return out;
    return [...out, ...fakeActiveActive(ctx, tr, name, backends), ...capacity(tr, name, backends)];
  });
}

/** traffic/ttl: a DNS-steered entry's TTL outside TTL_RANGE. */
function ttl(tr: Traffic, name: string): Finding[] {
  const steering = tr.steering?.value;
  if (
    !(
      steering &&
      DNS_STEERING.includes(steering) &&
      tr.ttlSeconds &&
      (tr.ttlSeconds.value < TTL_RANGE[0] || tr.ttlSeconds.value > TTL_RANGE[1])
    )
  )
    return [];
  const ttl = tr.ttlSeconds.value;
  return [
    finding(
      "traffic/ttl",
      tr.ttlSeconds.span,
      ttl < TTL_RANGE[0]
        ? `${name}: TTL ${ttl} s is below ${TTL_RANGE[0]} s: many resolvers raise it anyway, and the extra queries buy no faster failover`
        : `${name}: TTL ${ttl} s is above ${TTL_RANGE[1]} s: clients keep resolving to a lost site for up to ${ttl} s after failover`,
    ),
  ];
}

/** traffic/anycast-long-lived */
function anycastLongLived(tr: Traffic, name: string): Finding[] {
  if (!(tr.steering?.value === "anycast" && tr.longLivedConnections?.value === true)) return [];
  return [
    finding(
      "traffic/anycast-long-lived",
      tr.longLivedConnections.span,
      `${name}: anycast with long-lived connections: a BGP path change moves packets of open connections to another site, which resets them`,
    ),
  ];
}

/** The healthCheck fields only anycast reads: the BGP side of a site's route. */
const ANYCAST_ONLY = ["withdrawSeconds", "bgpHoldSeconds", "bfd"] as const;
/** The healthCheck fields only DNS steering reads: the answer's way to the authoritative servers. */
const DNS_ONLY = ["propagationSeconds"] as const;

/** What each ignored field would have meant, said to the reader who wrote it. */
const MEANT: Record<(typeof ANYCAST_ONLY)[number] | (typeof DNS_ONLY)[number], string> = {
  withdrawSeconds: "the time a BGP withdrawal takes to converge",
  bgpHoldSeconds: "the BGP hold time after which an upstream drops a dead site's route",
  bfd: "BFD, which tears down a dead site's BGP session in about a second",
  propagationSeconds: "the time a changed DNS answer takes to reach the authoritative servers",
};

/**
 * traffic/ignored-field: a healthCheck field the entry's steering never reads. BGP hold time, BFD
 * and withdrawal time mean something only where a site's route is announced by BGP (anycast); a
 * DNS-steered entry leaves a lost site when its answers change and the TTL runs out, whatever
 * they say. propagationSeconds is DNS's term; anycast never asks a DNS server. The writer believes
 * the field shortens failover: the finding says it does not, and what the RTO is made of instead.
 */
function ignoredFields(tr: Traffic, name: string): Finding[] {
  const steering = tr.steering?.value;
  const hc = tr.healthCheck;
  const ttl = steering === "anycast" ? anycastTtl(tr, name) : [];
  if (!hc || !steering) return ttl;
  const dns = DNS_STEERING.includes(steering);
  if (!dns && steering !== "anycast") return [];
  // the usual entry declares none of them: no estimate or text built for it (every keystroke runs this)
  const keys = (dns ? ANYCAST_ONLY : DNS_ONLY).filter((k) => hc[k]);
  if (!keys.length) return ttl;
  const estimate = rtoEstimate(tr);
  const rto = estimate ? ` (RTO estimate ${seconds(estimate.seconds)}: ${estimate.terms})` : "";
  const how = dns
    ? `${steering} steers clients by DNS answers and withdraws no BGP route when a site fails: clients leave a lost site once the health check fails it and their cached answer expires${rto}, and this field shortens none of it`
    : `anycast steers clients by BGP routes and changes no DNS answer when a site fails${rto}; the route's convergence is withdrawSeconds`;
  const fields = keys.map((key) =>
    finding(
      "traffic/ignored-field",
      hc[key]!.keySpan,
      `${name}: healthCheck.${key} is ignored on ${steering} steering — it is ${MEANT[key]}, but ${how}`,
      {
        fixes: [
          {
            kind: "remove-key",
            title: `Remove healthCheck.${key}`,
            args: { path: ["traffic", tr.index, "healthCheck"], key },
            preferred: true,
          },
        ],
      },
    ),
  );
  return [...ttl, ...fields];
}

/**
 * traffic/ignored-field on ttlSeconds under anycast: the hostname's answer is the anycast address
 * at every site, so no resolver's cached answer points at a lost site and no TTL has to run out —
 * clients leave it when the routes change. Whoever set a TTL believes it bounds failover (M91).
 */
function anycastTtl(tr: Traffic, name: string): Finding[] {
  if (!tr.ttlSeconds) return [];
  const estimate = rtoEstimate(tr);
  const rto = !estimate
    ? ""
    : estimate.siteLossSeconds !== undefined
      ? ` (RTO estimate ${seconds(estimate.seconds)} for a site that withdraws its route, ${seconds(estimate.siteLossSeconds)} on a whole-site loss)`
      : ` (RTO estimate ${seconds(estimate.seconds)}: ${estimate.terms})`;
  return [
    finding(
      "traffic/ignored-field",
      tr.ttlSeconds.keySpan,
      `${name}: ttlSeconds is ignored on anycast steering — it is how long resolvers keep a DNS answer, but every site announces the same anycast address, so no cached answer points at a lost site: clients leave it when the routes change${rto}, and the TTL shortens none of it`,
      {
        fixes: [
          {
            kind: "remove-key",
            title: "Remove ttlSeconds",
            args: { path: ["traffic", tr.index], key: "ttlSeconds" },
            preferred: true,
          },
        ],
      },
    ),
  ];
}

/** traffic/fake-active-active: backends in two or more sites over a store that takes writes, or keeps its quorum, in one. */
function fakeActiveActive(ctx: TopologyContext, tr: Traffic, name: string, backends: readonly LoadBackend[]): Finding[] {
  const backendSites = declaredSites(
    ctx,
    backends.map((b) => ({ value: b.site! })),
  );
  if (backendSites.length < 2) return [];
  const out: Finding[] = [];
  for (const dep of tr.dependsOn?.items ?? []) {
    const store = ctx.topology.storeByName.get(dep.value);
    const single = store && singleSiteState(ctx, store);
    if (single) {
      out.push(
        finding(
          "traffic/fake-active-active",
          dep.span,
          `${name} is served from ${backendSites.length} sites (${backendSites.join(", ")}) but store ${dep.value} ${single}: writes from the other sites cross the WAN, and losing that site stops them everywhere. Global routing is not global consensus`,
        ),
      );
    }
  }
  return out;
}

/** How a store keeps its state in one site ("takes writes only in fra"), or undefined. */
function singleSiteState(ctx: TopologyContext, store: Store): string | undefined {
  const rep = store.replication?.value;
  if ((rep === "async" || rep === "crdt") && store.writers) {
    const w = declaredSites(ctx, store.writers.items);
    if (w.length === 1 && store.writers.items.every((i) => ctx.topology.siteByName.has(i.value))) return `takes writes only in ${w[0]}`;
  } else if (rep === "consensus" || rep === "galera") {
    const q = ctx.quorumOf(store);
    if (q?.resolved && q.counts.size === 1)
      return `keeps all its ${rep === "galera" ? "Galera" : "quorum"} members in ${[...q.counts.keys()][0]}`;
  }
  return undefined;
}

/** capacity/overload (every site up) and capacity/site-loss (the worst single-site loss), per backend with a capacity. */
function capacity(tr: Traffic, name: string, backends: readonly LoadBackend[]): Finding[] {
  const peak = tr.peakRps?.value;
  if (peak === undefined) return [];
  const weighted = scenarios(peak, backends);
  const all = weighted[0];
  const shift = shiftOf(tr);
  // catchment steering (anycast, geodns): each backend is judged with the whole lost share at its own site (derive/loads shiftOf, judgedScenarios)
  const afterFor = (i: number) => judgedScenarios(peak, backends, shift, i, weighted).slice(1);
  const out: Finding[] = [];
  tr.backends.forEach((b, i) => {
    const cap = b.capacityRps;
    if (!cap) return;
    if (overCapacity(all, i)) {
      const load = loadOf(all, i);
      out.push(
        finding(
          "capacity/overload",
          cap.span,
          `${name}: with every site up, ${b.cluster!.value} carries ${rpsOver(toNumber(load!), cap.value)} (peak ${count(peak)} × weight ${count(backends[i].weight)} / total weight ${count(backends.reduce((a, x) => a + x.weight, 0))}) — capacity ${count(cap.value)}`,
          { fixes: rebalanceFix(backends, peak, i, false) },
        ),
      );
    }
    out.push(...siteLossOverload(name, b.cluster!.value, cap, i, afterFor(i), backends, peak, tr.steering?.value));
  });
  return out;
}

/** capacity/site-loss for backend `i`: the single-site loss that leaves it the most load over its capacity. */
function siteLossOverload(
  name: string,
  cluster: string,
  cap: F<number>,
  i: number,
  after: readonly Scenario[],
  backends: readonly LoadBackend[],
  peak: number,
  steering?: string,
): Finding[] {
  let worst: { lost: string; load: Rational } | undefined;
  for (const s of after) {
    if (!overCapacity(s, i)) continue;
    const l = loadOf(s, i)!;
    if (!worst || cmp(l, worst.load) > 0) worst = { lost: s.lost!, load: l };
  }
  if (!worst) return [];
  const raise = ceil(worst.load);
  // with two backend sites the survivor takes it all either way: only a choice of survivors is said
  const moved = after.some((s) => s.heir !== undefined) && backendSites(backends).length > 2;
  const why = !moved
    ? ""
    : steering === "anycast"
      ? ` — anycast has no weights: ${worst.lost}'s clients follow BGP to their next-best origin, which may be ${cluster}'s site for all of them, so it needs its own share plus all of ${worst.lost}'s`
      : ` — GeoDNS answers ${worst.lost}'s clients with its fallback, not pro rata: if that is ${cluster}'s site, it takes all of ${worst.lost}'s share besides its own`;
  return [
    finding(
      "capacity/site-loss",
      cap.span,
      // load and shortfall with one number of decimals, as simulate says them (review M140: "1,501 rps … short by 1 rps" for 1,500.5)
      ((w) =>
        `${name}: after losing ${worst.lost}, ${cluster} carries ${moved ? "up to " : ""}${w.load}; capacity ${count(cap.value)} (short by ${rps(toNumber(add(worst.load, fromNumber(-cap.value))), w.digits)})${why}`)(
        loadWords(toNumber(worst.load), cap.value),
      ),
      {
        fixes: [
          { kind: "replace", title: `Raise capacityRps to ${count(raise)}`, span: cap.span, text: raise.toString(), preferred: true },
          // weights do not steer a catchment: rebalancing them moves no lost share
          ...(moved ? [] : rebalanceFix(backends, peak, i, true)),
        ],
      },
    ),
  ];
}
