// Cilium's Helm values: the ClusterMesh identity (name, id, maxConnectedClusters, peers) and the
// cluster-pool pod ranges.
import { asBool, asNumber, cidrTexts } from "../deployed";
import { type Check, checksFor, type KindChecks, type Push } from "../check";

const CILIUM_V6_DEFAULT = "fd00::/104";

/** cilium-values: ClusterMesh identity and cluster-pool pod ranges. */
export const ciliumValues: KindChecks = (d, c, all) => {
  const { out, push, pods, cidrAt, podsDesign } = checksFor(c);
  const name = c.name!.value;
  if (c.mesh === "clustermesh") {
    push({
      code: "drift/cluster-identity",
      field: "name",
      dep: d.get(["cluster", "name"]),
      design: name,
      designAt: c.name,
      kind: "scalar",
      deployedDefault: "default",
      deployedDefaultBy: "Cilium's default",
      adopt: false,
    });
    if (c.id)
      push({
        code: "drift/cluster-identity",
        field: "id",
        dep: d.get(["cluster", "id"]),
        design: c.id.value,
        designAt: c.id,
        kind: "number",
        deployedDefault: 0,
      });
    push({
      code: "drift/cluster-identity",
      field: "maxConnectedClusters",
      dep: d.get(["clustermesh", "maxConnectedClusters"]),
      design: c.maxConnectedClusters?.value ?? 255,
      designAt: c.maxConnectedClusters,
      kind: "number",
      deployedDefault: 255,
    });
    if (asBool(d.get(["clustermesh", "config", "enabled"]).value) === true) {
      const peers = all.filter((x) => x !== c && x.mesh === "clustermesh" && x.name).map((x) => x.name!.value);
      const dep = d.get(["clustermesh", "config", "clusters"], "clustermesh.config.clusters[].name");
      const names = Array.isArray(dep.value)
        ? (dep.value as unknown[])
            .map((x) => (x && typeof x === "object" ? (x as { name?: unknown }).name : undefined))
            .filter((x): x is string => typeof x === "string" && x !== name)
        : [];
      push({
        code: "drift/cluster-identity",
        field: "ClusterMesh peers",
        dep,
        design: peers,
        designAt: { span: c.name!.span },
        kind: "names",
        deployedValue: names,
        fixable: false,
      });
    }
  }
  routingCheck(d, c, push);
  const mode = d.get(["ipam", "mode"]).value ?? "cluster-pool";
  if (mode === "cluster-pool" && podsDesign) podPool(d, push, podsDesign, cidrAt(pods));
  return out;
};

/** Cilium's cluster-pool pod ranges (IPv4 and, when enabled, IPv6), with the chart's pools where a list is absent. */
function podPool(d: Parameters<KindChecks>[0], push: Push, podsDesign: string[], designAt: Check["designAt"]): void {
  const v4on = asBool(d.get(["ipv4", "enabled"]).value) ?? true;
  const v6on = asBool(d.get(["ipv6", "enabled"]).value) ?? false;
  const v4 = d.get(["ipam", "operator", "clusterPoolIPv4PodCIDRList"]);
  const v6 = d.get(["ipam", "operator", "clusterPoolIPv6PodCIDRList"]);
  const deployed = [
    ...(v4on ? (v4.present ? cidrTexts(v4.value) : ["10.0.0.0/8"]) : []),
    ...(v6on ? (v6.present ? cidrTexts(v6.value) : [CILIUM_V6_DEFAULT]) : []),
  ];
  const anchor = v4on && v4.present ? v4 : v6on && v6.present ? v6 : v4;
  // one family deployed in one list: the fix rewrites that list
  const fixable = (v4on && !v6on && v4.present) || (!v4on && v6on && v6.present);
  push({
    code: "drift/cidr",
    field: "network.pods",
    dep: anchor,
    design: podsDesign,
    designAt,
    kind: "cidrs",
    deployedValue: deployed,
    ...(!anchor.present && deployed.length ? poolDefault(d, deployed, v4on && !v4.present, v6on && !v6.present) : {}),
    fixable,
  });
}

/**
 * The chart's pool when neither list is written, as "absent (…)" says it (review M136): the
 * operator hands each node a block of it (clusterPoolIPv4MaskSize, default 24; IPv6 120) — the
 * whole pool is what the cluster's pods use, so it is what is compared.
 */
function poolDefault(d: Parameters<KindChecks>[0], deployed: string[], v4: boolean, v6: boolean) {
  const mask = (key: string, fallback: number) => asNumber(d.get(["ipam", "operator", key]).value) ?? fallback;
  const blocks = [
    ...(v4 ? [`a /${mask("clusterPoolIPv4MaskSize", 24)}`] : []),
    ...(v6 ? [`a /${mask("clusterPoolIPv6MaskSize", 120)}`] : []),
  ];
  return {
    deployedDefault: deployed,
    deployedDefaultBy: deployed.length > 1 ? "Cilium's default pools" : "Cilium's default pool",
    deployedDefaultNote: `${blocks.join(" and ")} of ${deployed.length > 1 ? "them" : "it"} to each node`,
  };
}

/**
 * How the pod range reaches beyond the cluster (`network.routing`, default tunnel):
 * `routingMode` (Cilium 1.14+), else the older `tunnel: disabled` (native) or
 * `tunnel: vxlan | geneve`; absent, Cilium's default is tunnel mode. A witness's store member
 * counts on it (quorum/member-unreachable): a design routing its pods deployed in tunnel mode is
 * drift, and so is a design that says nothing (tunnel) over a native deployment — "Adopt" says it.
 */
function routingCheck(d: Parameters<KindChecks>[0], c: Parameters<KindChecks>[1], push: Push): void {
  const mode = d.get(["routingMode"]);
  const legacy = d.get(["tunnel"]);
  const useLegacy = !mode.present && legacy.present;
  push({
    code: "drift/routing",
    field: "network.routing",
    dep: useLegacy ? legacy : mode,
    design: c.routing?.value ?? "tunnel",
    designAt: c.routing,
    kind: "scalar",
    deployedDefault: "tunnel",
    ...(useLegacy ? { deployedValue: legacy.value === "disabled" ? "native" : "tunnel", fixable: false } : {}),
  });
}
