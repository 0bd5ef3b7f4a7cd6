/**
 * Where a cluster's control-plane nodes are (review M111): the one answer the what-if engine (whose
 * API servers keep taking writes, and are within reach, when a cut stops the API at the cluster's
 * site), the decision record and diff (which read the engine), the port matrix (which sites get
 * API, kubelet and CNI rows), and the game day's probes and checks read. Pure.
 *
 * A member of a cluster's etcd at a site that is not a witness is a control-plane node of the
 * cluster (kubeadm's stacked layout: an API server, the controllers, a kubelet and the CNI beside
 * each member), and so is the cluster's own site when it holds members. A member at a
 * `role: witness` site other than the cluster's own is etcd only: a tie-breaker run without a
 * compute stack (seed 001: "Witness members in a third site break two-datacenter ties without
 * full compute stacks"), which needs etcd's peer and client ports and nothing else.
 */
import type { Cluster } from "../model/topology";
import type { TopologyContext } from "./context";

/** A cluster's control plane: where its control-plane nodes run, and where it keeps etcd members only. */
export interface ControlPlane {
  /**
   * The sites with control-plane nodes of the cluster, in the etcd's declaration order: its member
   * sites that are its own site or not witnesses. Without an etcd (or one not resolved, or one whose
   * members all sit at witness sites: API servers at home over external etcd), its own site.
   */
  readonly sites: readonly string[];
  /** its etcd's member sites that are witnesses other than its own site: etcd members, no API server, kubelet or CNI */
  readonly etcdOnly: readonly string[];
}

/** Where a cluster's control-plane nodes are (see the module comment). */
export function controlPlaneOf(ctx: TopologyContext, c: Cluster): ControlPlane {
  return ctx.factOf(computeControlPlane, c);
}

/** `controlPlaneOf(…).sites` of a cluster by name; empty for an unknown name. */
export function controlPlaneSites(ctx: TopologyContext, cluster: string): readonly string[] {
  const c = ctx.topology.clusterByName.get(cluster);
  return c ? controlPlaneOf(ctx, c).sites : [];
}

/**
 * Whether none of a cluster's control-plane nodes is at its own site (a control plane hosted or run
 * wholly elsewhere): every Node of the cluster may then be on the cut-off side, and its control
 * plane evicts only if its hosts are Nodes of the cluster that stay Ready (kubeadm stacked), not
 * when it is hosted (review M92).
 */
export function controlPlaneAway(ctx: TopologyContext, c: Cluster): boolean {
  const home = ctx.siteOfCluster(c.name?.value ?? "");
  return home !== undefined && !controlPlaneOf(ctx, c).sites.includes(home);
}

function computeControlPlane(ctx: TopologyContext, c: Cluster): ControlPlane {
  const home = ctx.siteOfCluster(c.name?.value ?? "");
  const q = ctx.quorumOf(c);
  const own = home !== undefined ? [home] : [];
  if (!q?.resolved) return { sites: own, etcdOnly: [] };
  const members = [...q.counts.keys()];
  const witness = (s: string) => s !== home && ctx.topology.siteByName.get(s)?.role === "witness";
  const sites = members.filter((s) => !witness(s));
  return { sites: sites.length ? sites : own, etcdOnly: members.filter(witness) };
}
