/**
 * Whether a failover serves (review M144, M151): after each single-site loss, once steering has
 * withdrawn the lost site, do the backends the clients are steered to serve them? Steering that
 * moves clients within the RTO onto backends that cannot write (every request a 502), that cannot
 * carry the load, or onto nothing, recovers nothing: the service is not back, so no RTO is met.
 * The one decision behind the RTO objective (objective/rto, so `check`, `quorate availability`
 * and the editor), the hovers, the decision record's Tiers and its N+1 checklist item, so that
 * none of them can say "met" or "served" where another says the failover lands on errors.
 * Judged by the lean evaluator (the what-if engine's judgement, held equal by a property test):
 * each site lost alone, every link up, each quorum at the leader placement the engine judges.
 * Pure.
 */
import type { TopologyContext } from "../derive/context";
import type { Traffic } from "../model/topology";
import { rps, rpsOver } from "../util/format";
import { listText } from "../util/strings";
import {
  allUp,
  judgeTraffic,
  type LeanDesign,
  leanDesign,
  leanEntities,
  type LeanQuorum,
  type LeanState,
  type LeanStore,
  type LeanTraffic,
  TRAFFIC_OUTCOMES,
  TRAFFIC_SERVED,
  unwritable,
} from "./lean";

/** A backend left after the loss: its cluster, site and load (rps; the capacity when declared). */
export interface FailoverBackend {
  readonly cluster: string;
  readonly site: string;
  readonly loadRps: number;
  readonly capacityRps: number | undefined;
}

/** One store a backend cannot write to, and why, in a few words ("every writer, fra, is lost"). */
export interface FailoverStore {
  readonly store: string;
  readonly why: string;
}

/** One single-site loss of one entry, judged once steering has withdrawn the lost site. */
export interface Failover {
  /** the lost site */
  readonly lost: string;
  /** whatif.md's traffic outcome after the withdrawal */
  readonly outcome: (typeof TRAFFIC_OUTCOMES)[number];
  readonly peakRps: number;
  /** the backends answering with errors (they carry load and cannot write), each with the stores it cannot write to */
  readonly errors: readonly { readonly backend: FailoverBackend; readonly stores: readonly FailoverStore[] }[];
  /** the backends sent more than their capacity */
  readonly overloaded: readonly FailoverBackend[];
  /** every backend left answers with errors: no client's write succeeds */
  readonly everyBackendErrs: boolean;
}

/**
 * Every single-site loss of a traffic entry, in site order, judged after the withdrawal; empty
 * when the entry is not judged (no peakRps, a backend or dependency that does not resolve) or the
 * design has one site (losing it loses everything: whatif.md's sweeps skip it).
 */
export function failovers(ctx: TopologyContext, tr: Traffic): readonly Failover[] {
  return ctx.fact(failoversOf).get(tr) ?? [];
}

/** The first single-site loss after which the entry is not served — the failover no RTO is met by — or undefined. */
export function failoverGap(ctx: TopologyContext, tr: Traffic): Failover | undefined {
  return failovers(ctx, tr).find((f) => f.outcome !== "served");
}

function failoversOf(ctx: TopologyContext): ReadonlyMap<Traffic, readonly Failover[]> {
  const out = new Map<Traffic, readonly Failover[]>();
  const d = leanDesign(ctx);
  if (d.sites.length < 2) return out;
  const state = allUp(d);
  for (const e of leanEntities(ctx, d)) {
    if (e.type !== "traffic") continue;
    const each: Failover[] = [];
    for (let lost = 0; lost < d.sites.length; lost++) {
      state.siteUp[lost] = 0;
      each.push(judgeLoss(d, state, e, lost));
      state.siteUp[lost] = 1;
    }
    out.set(e.owner, each);
  }
  return out;
}

/** One loss: the entry's outcome, and the backends that err (with why) or are overloaded. */
function judgeLoss(d: LeanDesign, s: LeanState, t: LeanTraffic, lost: number): Failover {
  const j = judgeTraffic(d, s, t, { outcome: 0, lostRps: 0, loads: new Float64Array(t.backends.length) }, true);
  const backend = (i: number): FailoverBackend => ({
    cluster: t.owner.backends[i].cluster?.value ?? "?",
    site: d.sites[t.backends[i].site],
    loadRps: j.loads![i],
    capacityRps: t.backends[i].capacity,
  });
  const errors: Failover["errors"][number][] = [];
  const overloaded: FailoverBackend[] = [];
  let up = 0;
  t.backends.forEach((b, i) => {
    if (!s.siteUp[b.site]) return;
    up++;
    if (t.errors[i]) errors.push({ backend: backend(i), stores: unwritable(d, s, t, i, true).map((dep) => storeWhy(d, s, dep, b.site)) });
    if (t.overloaded[i]) overloaded.push(backend(i));
  });
  return {
    lost: d.sites[lost],
    outcome: TRAFFIC_OUTCOMES[j.outcome],
    peakRps: t.peak,
    errors,
    overloaded,
    everyBackendErrs: j.outcome !== TRAFFIC_SERVED && up > 0 && errors.length === up,
  };
}

/** Why a backend at `site` cannot write to a store, in the what-if engine's terms. */
function storeWhy(d: LeanDesign, s: LeanState, dep: LeanQuorum | LeanStore, site: number): FailoverStore {
  const name = dep.name;
  if (dep.type === "store") {
    const up = [...dep.writers].filter((w) => s.siteUp[w]);
    const writers = [...dep.writers].map((w) => d.sites[w]);
    return {
      store: name,
      why: up.length
        ? `no writer ${d.sites[site]} reaches`
        : writers.length === 1
          ? `its one writer site, ${writers[0]}, is lost`
          : `every writer site (${listText(writers)}) is lost`,
    };
  }
  let canLead = false;
  for (let i = 0; i < dep.canLead.length; i++) if (dep.canLead[i]) canLead = true;
  return {
    store: name,
    why: canLead ? `${d.sites[site]} reaches no site that can lead it` : "no majority of its members is left: writes stop",
  };
}

/** "lon-prod (lon)". */
const where = (b: FailoverBackend) => `${b.cluster} (${b.site})`;

/**
 * What the failover lands on, one sentence (no leading capital), the same in every output:
 * "losing fra, lon-prod (lon) cannot write to store carts (its one writer site, fra, is lost): all
 * 1,000 rps are errors (502s) until that store takes writes again".
 */
export function failoverText(f: Failover): string {
  if (f.outcome === "unserved") return `losing ${f.lost} leaves no backend to steer clients to`;
  if (f.outcome === "errors") {
    const who = f.errors
      .map((e) => `${where(e.backend)} cannot write to ${e.stores.map((x) => `${x.store} (${x.why})`).join(" or ")}`)
      .join("; ");
    const errRps = f.errors.reduce((a, e) => a + e.backend.loadRps, 0);
    const share = f.everyBackendErrs ? `all ${rps(f.peakRps)} are errors (502s)` : `${rps(errRps)} of ${rps(f.peakRps)} are errors (502s)`;
    const stores = new Set(f.errors.flatMap((e) => e.stores.map((x) => x.store)));
    return `losing ${f.lost}, ${who}: ${share} until ${stores.size === 1 ? "that store takes" : "those stores take"} writes again`;
  }
  if (f.outcome === "overloaded")
    return `losing ${f.lost}, ${f.overloaded
      .map((b) => `${where(b)} is sent ${rpsOver(b.loadRps, b.capacityRps!)} on a capacity of ${rps(b.capacityRps!)}`)
      .join("; ")} (capacity/site-loss)`;
  return `losing ${f.lost}, the backends left serve every request`;
}

/**
 * Why an RTO is not met by a failover that does not serve (objective/rto, the Tiers, the
 * hovers): "steering moves clients off a lost site, but …".
 */
export function failoverGapText(f: Failover): string {
  return `${failoverText(f)} — clients steered there are not served, so the failover recovers nothing`;
}

/** The few words beside "NOT met" (objective lines and cells): "losing fra, the failover lands on 502s". */
export function failoverShort(f: Failover): string {
  if (f.outcome === "unserved") return `losing ${f.lost} leaves no backend`;
  if (f.outcome === "errors") return `losing ${f.lost}, the failover lands on 502s`;
  if (f.outcome === "overloaded") return `losing ${f.lost}, the failover lands on backends over their capacity`;
  return `losing ${f.lost}, the failover serves`;
}

/** What the line beside an RTO starts with where a failover does not serve. */
export const FAILOVER_HEAD = "after the failover:";

/** The line said beside an RTO where a failover does not serve (availability text): undefined where every single-site loss leaves the entry served. */
export function failoverLine(ctx: TopologyContext, tr: Traffic): string | undefined {
  const gap = failoverGap(ctx, tr);
  return gap && `${FAILOVER_HEAD} ${failoverGapText(gap)}`;
}
