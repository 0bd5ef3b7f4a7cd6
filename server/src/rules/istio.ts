import type { Finding } from "../model/finding";
import type { Cluster } from "../model/topology";
import type { F } from "../model/yamlnodes";
import { finding, type TopologyContext } from "./context";
import { inDifferentSites, ISTIO_CERT_WINDOW, istioMeshes, istioName, podsRoutable } from "../derive/meshes";

const label = (c: Cluster) => c.name?.value ?? `clusters[${c.index}]`;

/** istio/*: one mesh's roots, names, control-plane wiring and networks. */
export function istioRules(ctx: TopologyContext): Finding[] {
  const out: Finding[] = [];
  for (const [meshId, members] of istioMeshes(ctx)) {
    const m: Mesh = {
      ctx,
      meshId,
      members,
      firstRoot: members.find((c) => c.istio?.rootCa)?.istio?.rootCa,
      names: new Map<string, Cluster>(),
      networks: new Set(members.map((c) => c.istio!.network?.value).filter((n): n is string => n !== undefined)),
    };
    members.forEach((c, i) => {
      out.push(
        ...rootMismatch(m, c),
        ...duplicateName(m, c),
        ...remotePrimary(m, c),
        ...networkWithoutGateway(m, c),
        ...networkNotRoutable(m, c, i),
      );
    });
  }
  return out;
}

/** One Istio mesh as its members' checks read it. */
interface Mesh {
  readonly ctx: TopologyContext;
  readonly meshId: string;
  readonly members: readonly Cluster[];
  /** the first root CA a member names: the mesh's */
  readonly firstRoot?: F<string>;
  /** the first member with each Istio cluster name (filled as members are checked, in order) */
  readonly names: Map<string, Cluster>;
  /** the distinct networks members declare */
  readonly networks: ReadonlySet<string>;
}

/** istio/root-mismatch: a member chaining to another root than the mesh's first. */
function rootMismatch({ meshId, firstRoot }: Mesh, c: Cluster): Finding[] {
  const root = c.istio!.rootCa;
  if (!(firstRoot && root && root.value !== firstRoot.value)) return [];
  return [
    finding(
      "istio/root-mismatch",
      root.span,
      `${label(c)} chains to root ${root.value} but mesh ${meshId} uses ${firstRoot.value}: mTLS between them fails with CERTIFICATE_VERIFY_FAILED`,
      {
        fixes: [
          {
            kind: "replace",
            title: `Set rootCa to \`${firstRoot.value}\``,
            span: root.span,
            text: firstRoot.value,
            string: true,
            preferred: true,
          },
        ],
      },
    ),
  ];
}

/** istio/cluster-name-duplicate: a later member reusing an earlier one's Istio cluster name (records the first). */
function duplicateName({ meshId, names }: Mesh, c: Cluster): Finding[] {
  const name = istioName(c);
  if (name === undefined) return [];
  const prev = names.get(name);
  if (!prev) {
    names.set(name, c);
    return [];
  }
  const at = c.istio!.clusterName?.span ?? c.name!.span;
  return [
    finding(
      "istio/cluster-name-duplicate",
      at,
      `${label(c)} and ${label(prev)} both use the Istio cluster name ${name} in mesh ${meshId}: endpoints and remote secrets keyed by it shadow each other`,
    ),
  ];
}

/** istio/remote-without-primary and istio/remote-primary-site-loss: a remote's primary, missing, wrong, or in another site. */
function remotePrimary({ ctx, meshId }: Mesh, c: Cluster): Finding[] {
  const ist = c.istio!;
  if (ist.role?.value !== "remote") return [];
  const primaryRef = ist.primary;
  const primary = primaryRef ? ctx.topology.clusterByName.get(primaryRef.value) : undefined;
  if (!primaryRef) {
    return [
      finding(
        "istio/remote-without-primary",
        ist.role.span,
        `${label(c)} is an Istio remote with no \`primary\`: nothing serves its config, sidecar injection or certificates`,
      ),
    ];
  }
  if (primary && !(primary.istio?.role?.value === "primary" && primary.istio.meshId?.value === meshId)) {
    const why = !primary.istio
      ? "has no istio block"
      : primary.istio.meshId?.value !== meshId
        ? `is in mesh ${primary.istio.meshId?.value ?? "(none)"}`
        : "is not a primary";
    return [
      finding(
        "istio/remote-without-primary",
        primaryRef.span,
        `${label(c)}'s primary ${primaryRef.value} ${why}: a remote needs a primary of mesh ${meshId} whose istiod serves it`,
      ),
    ];
  }
  if (primary && inDifferentSites(ctx, c, primary)) {
    const site = primary.site!.value;
    return [
      finding(
        "istio/remote-primary-site-loss",
        primaryRef.span,
        `${label(c)}'s istiod is ${primaryRef.value} in ${site}: losing ${site} stops config pushes, sidecar injection (the webhook fails closed) and certificate issuance for ${label(c)}; ${ISTIO_CERT_WINDOW}`,
      ),
    ];
  }
  return [];
}

/** istio/network-without-gateway: a member of a multi-network mesh with no east-west gateway. */
function networkWithoutGateway({ meshId, networks, members }: Mesh, c: Cluster): Finding[] {
  const ist = c.istio!;
  const net = ist.network;
  if (!(net && networks.size >= 2 && ist.eastWestGateway?.value !== true)) return [];
  return [
    finding(
      "istio/network-without-gateway",
      net.span,
      `mesh ${meshId} spans ${networks.size} networks (${[...networks].join(", ")}) but ${label(c)} on ${net.value} has no east-west gateway: ${gatewayLoss(members, c)}`,
      {
        fixes: [
          {
            kind: "set-field",
            title: "Add `eastWestGateway: true`",
            args: { cluster: c.index, block: "istio", key: "eastWestGateway", value: true },
          },
        ],
      },
    ),
  ];
}

/**
 * What a cluster without an east-west gateway loses, by its role (reviewer's note: a remote was
 * told it loses "remote istiod access", which runs through its primary's gateway, not its own).
 * Every such cluster: calls from the other networks to its pods (they enter through its gateway,
 * 15443). A primary: also its remotes on other networks, which reach its istiod (15012/15017)
 * through that gateway. A remote: nothing of its own control plane.
 */
function gatewayLoss(members: readonly Cluster[], c: Cluster): string {
  const ist = c.istio!;
  const net = ist.network?.value;
  const pods = "workloads on the other networks cannot reach its pods (cross-network traffic enters through its gateway, 15443)";
  if (ist.role?.value === "remote") {
    const primary = ist.primary?.value;
    return primary
      ? `${pods}; its own path to ${primary}'s istiod (15012/15017) runs through ${primary}'s east-west gateway and does not need one here`
      : pods;
  }
  const remotes = members.filter(
    (m) => m.istio?.role?.value === "remote" && m.istio.primary?.value === c.name?.value && m.istio.network?.value !== net,
  );
  return remotes.length
    ? `${pods}, and its remotes on other networks (${remotes.map((m) => m.name?.value).join(", ")}) reach its istiod (15012/15017) only through it`
    : pods;
}

/** istio/network-not-routable: an earlier member on the same network in another site whose pods this one cannot reach. */
function networkNotRoutable({ ctx, members }: Mesh, c: Cluster, i: number): Finding[] {
  const net = c.istio!.network;
  if (!net) return [];
  const peer = members
    .slice(0, i)
    .find((p) => p.istio!.network?.value === net.value && inDifferentSites(ctx, c, p) && !podsRoutable(ctx, c, p));
  if (!peer) return [];
  return [
    finding(
      "istio/network-not-routable",
      net.span,
      `${label(c)} (${c.site!.value}) and ${label(peer)} (${peer.site!.value}) share network ${net.value}, which tells Istio their pod IPs reach each other directly — but ${c.mesh === "none" && peer.mesh === "none" ? "neither joins a cross-site pod network" : `their pod networks are ${c.mesh} and ${peer.mesh}`}; give them different networks and east-west gateways, or connect the pods`,
    ),
  ];
}
