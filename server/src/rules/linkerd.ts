import type { Finding } from "../model/finding";
import type { Cluster, LinkerdBlock, LinkerdLink } from "../model/topology";
import type { F } from "../model/yamlnodes";
import { finding, type TopologyContext } from "./context";
import { exportedServices, inDifferentSites, K8S_NAME_MAX, podsRoutable } from "../derive/meshes";

export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";
const label = (c: Cluster) => c.name?.value ?? `clusters[${c.index}]`;

/** linkerd/*: trust, gateways, routability and mirrored names of each link. */
export function linkerdRules(ctx: TopologyContext): Finding[] {
  const t = ctx.topology;
  const linkerdClusters = t.clusters.filter((c) => c.linkerd);
  const firstAnchor = linkerdClusters.find((c) => c.linkerd?.trustAnchor)?.linkerd?.trustAnchor;
  return linkerdClusters.flatMap((c) => [
    ...trustDomain(c),
    ...c.linkerd!.links.flatMap((link) => {
      const target = link.cluster && t.clusterByName.get(link.cluster.value);
      if (!link.cluster || !target?.linkerd) return []; // ref/unknown
      const l: Linked = { ctx, c, link, ref: link.cluster, target, tl: target.linkerd };
      return [...anchorMismatch(l, firstAnchor), ...gatewayMissing(l), ...flatNotRoutable(l), ...mirrorNameTooLong(l)];
    }),
  ]);
}

/** One link of a Linkerd cluster to a declared Linkerd cluster. */
interface Linked {
  readonly ctx: TopologyContext;
  readonly c: Cluster;
  readonly link: LinkerdLink;
  /** the link's `cluster` reference */
  readonly ref: F<string>;
  readonly target: Cluster;
  readonly tl: LinkerdBlock;
}

/**
 * linkerd/trust-domain (information): the identity trust domain differs from the cluster domain.
 * Linkerd allows it — identities are issued under identityTrustDomain, DNS names use clusterDomain
 * (linkerd2#4474; linkerd/website#1712: "must match" is incorrect) — so it is no error (review
 * M89; rules.md predates this). What breaks is a Link to this cluster whose gateway identity is
 * built from another domain (linkerd2#9044): said here, with no fix (re-rooting every identity of
 * a running mesh is no quick fix).
 */
function trustDomain(c: Cluster): Finding[] {
  const l = c.linkerd!;
  const trustDomain = l.trustDomain?.value ?? DEFAULT_CLUSTER_DOMAIN;
  const clusterDomain = l.clusterDomain?.value ?? DEFAULT_CLUSTER_DOMAIN;
  if (trustDomain === clusterDomain) return [];
  const at = l.trustDomain?.span ?? l.clusterDomain!.span;
  return [
    finding(
      "linkerd/trust-domain",
      at,
      `${label(c)}: identity trust domain ${trustDomain} differs from the cluster domain ${clusterDomain}. Linkerd allows it (workload identities are issued under the trust domain, DNS names use the cluster domain), but a Link from another cluster must name this cluster's gateway as linkerd-gateway.linkerd-multicluster.serviceaccount.identity.linkerd.${trustDomain}: a gatewayIdentity built from ${clusterDomain} fails mTLS to the gateway`,
    ),
  ];
}

/** linkerd/trust-anchor-mismatch: the fix moves the one that differs from the first anchor declared. */
function anchorMismatch({ c, ref, tl }: Linked, firstAnchor: F<string> | undefined): Finding[] {
  const a = c.linkerd!.trustAnchor;
  const b = tl.trustAnchor;
  if (!(a && b && a.value !== b.value)) return [];
  const wrong = firstAnchor && b.value !== firstAnchor.value ? b : a;
  return [
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
                  string: true,
                  preferred: true,
                },
              ]
            : [],
      },
    ),
  ];
}

/** linkerd/gateway-missing */
function gatewayMissing({ c, link, ref, tl }: Linked): Finding[] {
  if (!(link.mode === "gateway" && tl.gateway?.value !== true)) return [];
  return [
    finding(
      "linkerd/gateway-missing",
      ref.span,
      `${label(c)} links to ${ref.value} in gateway mode, but ${ref.value} has no linkerd-multicluster gateway (4143, probe 4191): mirrored Services have no endpoint to reach`,
    ),
  ];
}

/** linkerd/flat-not-routable */
function flatNotRoutable({ ctx, c, link, ref, target }: Linked): Finding[] {
  if (!((link.mode === "flat" || link.mode === "federated") && inDifferentSites(ctx, c, target) && !podsRoutable(ctx, c, target)))
    return [];
  return [
    finding(
      "linkerd/flat-not-routable",
      ref.span,
      `${link.mode} link from ${label(c)} (${c.site!.value}) to ${ref.value} (${target.site!.value}) needs pod-to-pod reachability, but ${c.mesh === "none" && target.mesh === "none" ? "neither cluster joins a cross-site pod network" : `their pod networks are ${c.mesh} and ${target.mesh}`}`,
    ),
  ];
}

/** linkerd/mirror-name-too-long: `<service>-<target>` past a Kubernetes name, per exported service. */
function mirrorNameTooLong({ ctx, c, link, ref }: Linked): Finding[] {
  if (!(link.mode === "gateway" || link.mode === "flat")) return [];
  return exportedServices(ctx, ref.value)
    .map((svc) => ({ svc, mirrored: `${svc}-${ref.value}` }))
    .filter(({ mirrored }) => mirrored.length > K8S_NAME_MAX)
    .map(({ svc, mirrored }) =>
      finding(
        "linkerd/mirror-name-too-long",
        ref.span,
        `${label(c)} would mirror ${svc} from ${ref.value} as ${mirrored}: ${mirrored.length} characters, over Kubernetes' ${K8S_NAME_MAX}`,
      ),
    );
}
