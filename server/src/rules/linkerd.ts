import type { Finding } from "../model/finding";
import type { Cluster } from "../model/topology";
import { finding, type TopologyContext } from "./context";
import { exportedServices, inDifferentSites, K8S_NAME_MAX, podsRoutable } from "../derive/meshes";

export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";
const label = (c: Cluster) => c.name?.value ?? `clusters[${c.index}]`;

/** linkerd/*: trust, gateways, routability and mirrored names of each link. */
// long: a rule family's checks in the catalog's order, one short block per code; not yet split per code (#19, w19)
export function linkerdRules(ctx: TopologyContext): Finding[] {
  const out: Finding[] = [];
  const t = ctx.topology;
  const linkerdClusters = t.clusters.filter((c) => c.linkerd);
  const firstAnchor = linkerdClusters.find((c) => c.linkerd?.trustAnchor)?.linkerd?.trustAnchor;

  for (const c of linkerdClusters) {
    const l = c.linkerd!;
    const trustDomain = l.trustDomain?.value ?? DEFAULT_CLUSTER_DOMAIN;
    const clusterDomain = l.clusterDomain?.value ?? DEFAULT_CLUSTER_DOMAIN;
    if (trustDomain !== clusterDomain) {
      const at = l.trustDomain?.span ?? l.clusterDomain!.span;
      out.push(
        finding(
          "linkerd/trust-domain",
          at,
          `${label(c)}: identity trust domain ${trustDomain} differs from the cluster domain ${clusterDomain}; Linkerd identities are issued under the cluster domain`,
          {
            fixes: l.trustDomain
              ? [
                  {
                    kind: "replace",
                    title: `Set trustDomain to \`${clusterDomain}\``,
                    span: l.trustDomain.span,
                    text: clusterDomain,
                    preferred: true,
                  },
                ]
              : [],
          },
        ),
      );
    }

    for (const link of l.links) {
      const ref = link.cluster;
      if (!ref) continue;
      const target = t.clusterByName.get(ref.value);
      if (!target?.linkerd) continue; // ref/unknown
      const tl = target.linkerd;
      const a = l.trustAnchor;
      const b = tl.trustAnchor;
      if (a && b && a.value !== b.value) {
        const wrong = firstAnchor && b.value !== firstAnchor.value ? b : a;
        out.push(
          finding(
            "linkerd/trust-anchor-mismatch",
            ref.span,
            `${label(c)} trusts anchor ${a.value} but ${ref.value} trusts ${b.value}: mTLS across the link fails`,
            {
              fixes:
                firstAnchor && wrong.value !== firstAnchor.value
                  ? [
                      {
                        kind: "replace",
                        title: `Set trustAnchor to \`${firstAnchor.value}\``,
                        span: wrong.span,
                        text: firstAnchor.value,
                        preferred: true,
                      },
                    ]
                  : [],
            },
          ),
        );
      }
      if (link.mode === "gateway" && tl.gateway?.value !== true) {
        out.push(
          finding(
            "linkerd/gateway-missing",
            ref.span,
            `${label(c)} links to ${ref.value} in gateway mode, but ${ref.value} has no linkerd-multicluster gateway (4143, probe 4191): mirrored Services have no endpoint to reach`,
          ),
        );
      }
      if ((link.mode === "flat" || link.mode === "federated") && inDifferentSites(ctx, c, target) && !podsRoutable(ctx, c, target)) {
        out.push(
          finding(
            "linkerd/flat-not-routable",
            ref.span,
            `${link.mode} link from ${label(c)} (${c.site!.value}) to ${ref.value} (${target.site!.value}) needs pod-to-pod reachability, but ${c.mesh === "none" && target.mesh === "none" ? "neither cluster joins a cross-site pod network" : `their pod networks are ${c.mesh} and ${target.mesh}`}`,
          ),
        );
      }
      if (link.mode === "gateway" || link.mode === "flat") {
        for (const svc of exportedServices(ctx, ref.value)) {
          const mirrored = `${svc}-${ref.value}`;
          if (mirrored.length > K8S_NAME_MAX) {
            out.push(
              finding(
                "linkerd/mirror-name-too-long",
                ref.span,
                `${label(c)} would mirror ${svc} from ${ref.value} as ${mirrored}: ${mirrored.length} characters, over Kubernetes' ${K8S_NAME_MAX}`,
              ),
            );
          }
        }
      }
    }
  }
  return out;
}
