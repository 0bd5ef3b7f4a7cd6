/**
 * The deployed values that move a port (the port matrix's input from drift's readers): the
 * clustermesh-apiserver Service, Cilium's tunnel, routing mode and encryption, Submariner's
 * NAT-T port, Linkerd's gateway ports. Pure: files come from the same DeploymentSource as drift.
 */
import { parseFile } from "../model/parse";
import type { DeployedPorts, Valued } from "../ports/ports";
import type { TopologyContext } from "../derive/context";
import type { DeploymentSource, Refusal } from "./compare";
import { asBool, asNumber, DEPLOY_KINDS, type DeployKind, DocReader, recognise } from "./deployed";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * By cluster name, the port-moving values its bound files set (a key absent from every file is
 * absent here). `refused`: an entry that is not read (outside the bound, too broad), with its cluster.
 */
export function deployedPorts(
  ctx: TopologyContext,
  topologyPath: string,
  source: DeploymentSource,
  refused?: (cluster: string, r: Refusal) => void,
): Map<string, DeployedPorts> {
  const out = new Map<string, DeployedPorts>();
  for (const c of ctx.topology.clusters) {
    const name = c.name?.value;
    if (!name || !c.deployment) continue;
    const found: Mutable<DeployedPorts> = {};
    for (const ref of c.deployment.items) {
      const m = source.match(topologyPath, ref.path.value);
      for (const r of m.refused ?? []) refused?.(name, r);
      for (const path of m.paths) {
        const text = source.read(path);
        if (text === undefined) continue;
        const parsed = parseFile(path, text);
        for (const doc of parsed.docs) {
          if (doc.broken || doc.kind === "empty" || !doc.doc.contents) continue;
          const d = new DocReader(doc.doc, doc.span);
          const named =
            ref.kind && (DEPLOY_KINDS as readonly string[]).includes(ref.kind.value) ? (ref.kind.value as DeployKind) : undefined;
          read(named ?? recognise(d), d, path, found);
        }
      }
    }
    if (Object.keys(found).length) out.set(name, found);
  }
  return out;
}

function read(kind: DeployKind | undefined, d: DocReader, file: string, into: Mutable<DeployedPorts>): void {
  const at = <T>(path: string[], conv: (v: unknown) => T | undefined): Valued<T> | undefined => {
    const dep = d.get(path);
    const value = dep.present ? conv(dep.value) : undefined;
    return value === undefined ? undefined : { value, file, key: path.join(".") };
  };
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  if (kind === "cilium-values") {
    into.clustermeshServiceType ??= at(["clustermesh", "apiserver", "service", "type"], str);
    into.clustermeshNodePort ??= at(["clustermesh", "apiserver", "service", "nodePort"], asNumber);
    // tunnelProtocol (1.14+), else the older `tunnel: vxlan | geneve | disabled`
    const legacy = at(["tunnel"], str);
    into.tunnelProtocol ??= at(["tunnelProtocol"], str) ?? (legacy && legacy.value !== "disabled" ? legacy : undefined);
    into.routingMode ??= at(["routingMode"], str) ?? (legacy?.value === "disabled" ? { ...legacy, value: "native" } : undefined);
    const enabled = at(["encryption", "enabled"], asBool);
    if (enabled?.value) into.encryption ??= at(["encryption", "type"], str) ?? { ...enabled, value: "ipsec" }; // the chart's default type
    into.mutualAuth ??= at(["authentication", "mutual", "spire", "enabled"], asBool);
  } else if (kind === "submariner") {
    into.submarinerNattPort ??= at(["spec", "ceIPSecNATTPort"], asNumber) ?? at(["ipsec", "natPort"], asNumber);
  } else if (kind === "linkerd-multicluster-values") {
    into.linkerdGatewayPort ??= at(["gateway", "port"], asNumber);
    into.linkerdProbePort ??= at(["gateway", "probe", "port"], asNumber);
  }
}
