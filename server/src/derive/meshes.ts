/**
 * Meshes, pod routability and exported services: the facts the mesh, Istio and Linkerd rules,
 * the hover, the preview and the what-if engine share. Pure.
 */
import type { Cluster, Export } from "../model/topology";
import type { TopologyContext } from "./context";

/**
 * Whether pods of two clusters can reach each other directly. Same site: assumed (one L3
 * fabric). Across sites: only when both join the same pod network (both ClusterMesh or both
 * Submariner) — a ClusterMesh cluster and a Submariner cluster are not connected to each other.
 */
export function podsRoutable(ctx: TopologyContext, a: Cluster, b: Cluster): boolean {
  const sa = a.site && ctx.topology.siteByName.has(a.site.value) ? a.site.value : undefined;
  const sb = b.site && ctx.topology.siteByName.has(b.site.value) ? b.site.value : undefined;
  if (sa !== undefined && sa === sb) return true;
  return a.mesh !== "none" && a.mesh === b.mesh;
}

/** Different sites, both known. */
export function inDifferentSites(ctx: TopologyContext, a: Cluster, b: Cluster): boolean {
  const sa = a.site?.value;
  const sb = b.site?.value;
  return !!sa && !!sb && sa !== sb && ctx.topology.siteByName.has(sa) && ctx.topology.siteByName.has(sb);
}

/** Istio's workload certificates: renewed at half their lifetime, so without istiod they run out 12–24 h on (review M118 nit: one wording). */
export const ISTIO_CERT_LIFETIME = "a 24 h lifetime by default, renewed at half of it";
export const ISTIO_CERT_WINDOW = `its workload certificates expire within 12–24 h (${ISTIO_CERT_LIFETIME})`;
/**
 * What every istiod does with another cluster's endpoints once its watch of that cluster is lost
 * or cut off (istio/istio#35082): it keeps the last it saw and never health-checks them.
 */
export const ISTIO_KEEPS_ENDPOINTS =
  "istiod keeps the last endpoints its watch of a cluster saw and does not health-check them (a sidecar cut off from istiod keeps its last configuration too)";
export const K8S_NAME_MAX = 63;

/** Clusters with an istio block, grouped by meshId in document order. */
export function istioMeshes(ctx: TopologyContext): ReadonlyMap<string, Cluster[]> {
  return ctx.fact(meshesOf);
}
function meshesOf(ctx: TopologyContext): Map<string, Cluster[]> {
  const meshes = new Map<string, Cluster[]>();
  for (const c of ctx.topology.clusters) {
    const id = c.istio?.meshId?.value;
    if (id === undefined) continue;
    meshes.set(id, [...(meshes.get(id) ?? []), c]);
  }
  return meshes;
}

/** The name Istio knows a cluster by: its clusterName, else its topology name. */
export const istioName = (c: Cluster): string | undefined => c.istio?.clusterName?.value ?? c.name?.value;

/** The Services the topology's `exports` export from a cluster, each once, in order. */
export function exportedServices(ctx: TopologyContext, cluster: string): string[] {
  const out: string[] = [];
  for (const e of ctx.topology.exports) {
    if (e.service && e.clusters?.items.some((c) => c.value === cluster) && !out.includes(e.service.value)) out.push(e.service.value);
  }
  return out;
}

/** The distinct declared sites among a list of site references, in order. */
export function declaredSites(ctx: TopologyContext, refs: readonly { value: string }[] | undefined): string[] {
  const out: string[] = [];
  for (const r of refs ?? []) if (ctx.topology.siteByName.has(r.value) && !out.includes(r.value)) out.push(r.value);
  return out;
}

/**
 * Submariner: the joined clusters (`mesh: submariner`, named) and the clusters marked as running
 * the Broker (`broker: true`, named, whatever their own mesh: a management cluster that only hosts
 * the Broker is often `mesh: none`), in document order.
 */
export function submarinerSet(ctx: TopologyContext): { readonly joined: readonly Cluster[]; readonly brokers: readonly Cluster[] } {
  return ctx.fact(submarinerSetOf);
}
function submarinerSetOf(ctx: TopologyContext) {
  const named = ctx.topology.clusters.filter((c) => c.name?.value);
  return { joined: named.filter((c) => c.mesh === "submariner"), brokers: named.filter((c) => c.broker?.value === true) };
}

/** A ClusterMesh global Service's `service.cilium.io/affinity`. */
export type ExportAffinity = "local" | "remote" | "none";

/** The export's declared affinity; absent (or not one of the three) is `none`, Cilium's default. */
export function exportAffinity(e: Export): ExportAffinity {
  const a = e.affinity?.value;
  return a === "local" || a === "remote" ? a : "none";
}

/**
 * The exporting clusters whose endpoints a caller cluster's Cilium agents send its calls to a
 * global Service: `none` every exporting cluster's alike; `local` the caller's own while it
 * exports the Service, else the remote ones; `remote` the remote ones while there are any, else
 * its own. Cilium keeps a lost or cut-off cluster's endpoints in the Service (the remote cache
 * is not revoked: `clustermesh-cache-ttl` is 0 by default, cilium/cilium#37333) and does not
 * health-check them, so the pool is the same in every scenario: what changes is which of it
 * answers.
 */
export function endpointPool(exporters: readonly string[], caller: string, affinity: ExportAffinity): string[] {
  const remote = exporters.filter((c) => c !== caller);
  if (affinity === "local" && exporters.includes(caller)) return [caller];
  if (affinity === "remote" && remote.length) return remote;
  return [...exporters];
}

/**
 * Why a ClusterMesh caller keeps calling a lost or cut-off cluster, said once for the rule
 * (export/remote-endpoints-kept) and the what-if engine: Cilium keeps the cluster's endpoints
 * in the global Service and never revokes its remote cache unless `clustermesh-cache-ttl`
 * (added in Cilium 1.19; 0 by default) is set (cilium/cilium pkg/clustermesh/common/config.go).
 */
export const CILIUM_KEEPS_ENDPOINTS =
  "Cilium keeps a lost or cut-off cluster's endpoints in a global Service without health-checking them (its remote cache is never revoked unless clustermesh-cache-ttl, Cilium 1.19 and later, is set)";

/** An export's ClusterMesh exporting clusters (`mesh: clustermesh`, at a known site), each once, in document order. */
export function meshedExporters(ctx: TopologyContext, e: Export): string[] {
  return (e.clusters?.items ?? [])
    .map((c) => c.value)
    .filter((c, i, all) => all.indexOf(c) === i && ctx.topology.clusterByName.get(c)?.mesh === "clustermesh" && ctx.siteOfCluster(c));
}

/** The calls of one exporting cluster that go to endpoints it cannot reach. */
export interface StaleShare {
  /** the clusters of its endpoint pool it cannot reach (Cilium keeps their endpoints) */
  readonly unreachable: string[];
  /** the share of its calls sent there, with equal replicas per cluster (0.5: half) */
  readonly share: number;
  /** how many clusters its pool holds */
  readonly pool: number;
}

/**
 * What `caller` sends to exporting clusters it cannot reach (`unreachable`), given the
 * export's affinity: undefined when every cluster of its pool answers. The what-if engine asks
 * it per scenario; `export/remote-endpoints-kept` asks it per site loss.
 */
export function staleShare(
  exporters: readonly string[],
  caller: string,
  affinity: ExportAffinity,
  unreachable: (cluster: string) => boolean,
): StaleShare | undefined {
  const pool = endpointPool(exporters, caller, affinity);
  const gone = pool.filter(unreachable);
  return gone.length ? { unreachable: gone, share: gone.length / pool.length, pool: pool.length } : undefined;
}
