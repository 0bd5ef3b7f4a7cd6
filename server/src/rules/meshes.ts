import type { Cluster } from "../model/topology";
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

export const ISTIO_CERT_WINDOW = "its 24 h workload certificates expire within 12–24 h";
export const K8S_NAME_MAX = 63;
