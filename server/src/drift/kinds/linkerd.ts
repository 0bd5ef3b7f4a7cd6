// Linkerd: the control plane's trust and cluster domains, the multicluster gateway, and the
// Links (compared with the design's links; their trust anchors are compared across clusters in
// compare.ts).
import { checksFor, type KindChecks } from "../check";

/** linkerd-values: identityTrustDomain and clusterDomain. */
export const linkerdValues: KindChecks = (d, c) => {
  const { out, push } = checksFor(c);
  // both domains default to cluster.local on either side
  for (const [field, key] of [
    ["trustDomain", "identityTrustDomain"],
    ["clusterDomain", "clusterDomain"],
  ] as const) {
    const at = c.linkerd?.[field];
    push({
      code: "drift/linkerd",
      field: `linkerd.${field}`,
      dep: d.get([key]),
      design: at?.value ?? "cluster.local",
      designAt: at,
      kind: "scalar",
      deployedDefault: "cluster.local",
    });
  }
  return out;
};

/** linkerd-multicluster-values: the gateway switch. */
export const linkerdMulticluster: KindChecks = (d, c) => {
  const { out, push } = checksFor(c);
  const g = c.linkerd?.gateway;
  if (g)
    push({
      code: "drift/linkerd",
      field: "linkerd.gateway",
      dep: d.get(["gateway", "enabled"]),
      design: g.value,
      designAt: g,
      kind: "bool",
      deployedDefault: true,
    });
  return out;
};

/** A Link is compared as a whole with the design's links (comparer.ts linkComparisons), not field by field. */
export const linkerdLink: KindChecks = () => [];
