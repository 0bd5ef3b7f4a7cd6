import type { Finding } from "../model/finding";
import type { Cluster } from "../model/topology";
import { finding, type TopologyContext } from "./context";
import { inDifferentSites, ISTIO_CERT_WINDOW, istioMeshes, istioName, podsRoutable } from "../derive/meshes";

const label = (c: Cluster) => c.name?.value ?? `clusters[${c.index}]`;

/** istio/*: one mesh's roots, names, control-plane wiring and networks. */
// long: a rule family's checks in the catalog's order, one short block per code; not yet split per code (#19, w19)
export function istioRules(ctx: TopologyContext): Finding[] {
  const out: Finding[] = [];
  const t = ctx.topology;
  for (const [meshId, members] of istioMeshes(ctx)) {
    const firstRoot = members.find((c) => c.istio?.rootCa)?.istio?.rootCa;
    const names = new Map<string, Cluster>();
    const networks = new Set(members.map((c) => c.istio!.network?.value).filter((n): n is string => n !== undefined));

    // long: a rule family's checks in the catalog's order, one short block per code; not yet split per code (#19, w19)
    members.forEach((c, i) => {
      const ist = c.istio!;
      if (firstRoot && ist.rootCa && ist.rootCa.value !== firstRoot.value) {
        out.push(
          finding(
            "istio/root-mismatch",
            ist.rootCa.span,
            `${label(c)} chains to root ${ist.rootCa.value} but mesh ${meshId} uses ${firstRoot.value}: mTLS between them fails with CERTIFICATE_VERIFY_FAILED`,
            {
              fixes: [
                {
                  kind: "replace",
                  title: `Set rootCa to \`${firstRoot.value}\``,
                  span: ist.rootCa.span,
                  text: firstRoot.value,
                  preferred: true,
                },
              ],
            },
          ),
        );
      }

      const name = istioName(c);
      if (name !== undefined) {
        const prev = names.get(name);
        if (prev) {
          const at = ist.clusterName?.span ?? c.name!.span;
          out.push(
            finding(
              "istio/cluster-name-duplicate",
              at,
              `${label(c)} and ${label(prev)} both use the Istio cluster name ${name} in mesh ${meshId}: endpoints and remote secrets keyed by it shadow each other`,
            ),
          );
        } else names.set(name, c);
      }

      if (ist.role?.value === "remote") {
        const primaryRef = ist.primary;
        const primary = primaryRef ? t.clusterByName.get(primaryRef.value) : undefined;
        if (!primaryRef) {
          out.push(
            finding(
              "istio/remote-without-primary",
              ist.role.span,
              `${label(c)} is an Istio remote with no \`primary\`: nothing serves its config, sidecar injection or certificates`,
            ),
          );
        } else if (primary && !(primary.istio?.role?.value === "primary" && primary.istio.meshId?.value === meshId)) {
          const why = !primary.istio
            ? "has no istio block"
            : primary.istio.meshId?.value !== meshId
              ? `is in mesh ${primary.istio.meshId?.value ?? "(none)"}`
              : "is not a primary";
          out.push(
            finding(
              "istio/remote-without-primary",
              primaryRef.span,
              `${label(c)}'s primary ${primaryRef.value} ${why}: a remote needs a primary of mesh ${meshId} whose istiod serves it`,
            ),
          );
        } else if (primary && inDifferentSites(ctx, c, primary)) {
          const site = primary.site!.value;
          out.push(
            finding(
              "istio/remote-primary-site-loss",
              primaryRef.span,
              `${label(c)}'s istiod is ${primaryRef.value} in ${site}: losing ${site} stops config pushes, sidecar injection (the webhook fails closed) and certificate issuance for ${label(c)}; ${ISTIO_CERT_WINDOW}`,
            ),
          );
        }
      }

      const net = ist.network;
      if (net && networks.size >= 2 && ist.eastWestGateway?.value !== true) {
        out.push(
          finding(
            "istio/network-without-gateway",
            net.span,
            `mesh ${meshId} spans ${networks.size} networks (${[...networks].join(", ")}) but ${label(c)} on ${net.value} has no east-west gateway: cross-network traffic (15443) and remote istiod access (15012/15017) only pass through one`,
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
        );
      }
      if (net) {
        const peer = members
          .slice(0, i)
          .find((p) => p.istio!.network?.value === net.value && inDifferentSites(ctx, c, p) && !podsRoutable(ctx, c, p));
        if (peer) {
          out.push(
            finding(
              "istio/network-not-routable",
              net.span,
              `${label(c)} (${c.site!.value}) and ${label(peer)} (${peer.site!.value}) share network ${net.value}, which tells Istio their pod IPs reach each other directly — but ${c.mesh === "none" && peer.mesh === "none" ? "neither joins a cross-site pod network" : `their pod networks are ${c.mesh} and ${peer.mesh}`}; give them different networks and east-west gateways, or connect the pods`,
            ),
          );
        }
      }
    });
  }
  return out;
}
