import type { Finding } from "../model/finding";
import type { K8sObject, PolicyRule } from "../model/k8s";
import type { Cluster, Export, ExportPolicy, Subject } from "../model/topology";
import type { F } from "../model/yamlnodes";
import { CILIUM_KEEPS_ENDPOINTS, exportAffinity, istioMeshes, meshedExporters, staleShare } from "../derive/meshes";
import { shareText } from "../util/format";
import { own } from "../util/records";
import { listText } from "../util/strings";
import { finding, type TopologyContext } from "./context";

export const SYSTEM_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease"];
export const EXPORT_API_GROUP = "multicluster.x-k8s.io";
const EXPORT_VERBS = ["create", "update", "patch", "*"];

/** Groups that mean "everybody" (or every service account); `system:anonymous` is the unauthenticated user. */
export function isBroadSubject(s: Subject): boolean {
  if (s.name === "*") return true;
  if (s.kind === "Group") {
    return (
      s.name === "system:authenticated" ||
      s.name === "system:unauthenticated" ||
      s.name === "system:serviceaccounts" ||
      (s.name?.startsWith("system:serviceaccounts:") ?? false)
    );
  }
  return s.kind === "User" && s.name === "system:anonymous";
}

export function ruleAllowsExport(r: PolicyRule): boolean {
  return (
    r.apiGroups.some((g) => g === EXPORT_API_GROUP || g === "*") &&
    r.resources.some((x) => x === "serviceexports" || x === "*") &&
    r.verbs.some((v) => EXPORT_VERBS.includes(v))
  );
}

/** Checks on one export's namespace; `allowed` undefined = no restriction. */
function namespaceFindings(ns: F<string>, what: string, allowed: readonly string[] | undefined): Finding[] {
  if (SYSTEM_NAMESPACES.includes(ns.value)) {
    return [
      finding(
        "export/system-namespace",
        ns.span,
        `${what} is exported from ${ns.value}: every cluster of the clusterset could reach this control-plane Service`,
        {
          fixes: [{ kind: "remove-export", title: "Remove this export" }],
        },
      ),
    ];
  }
  const out: Finding[] = [];
  if (ns.value === "default") {
    out.push(
      finding(
        "export/default-namespace",
        ns.span,
        `${what} is exported from the default namespace, where anyone with access tends to deploy; the MCS KEP asks for special care here`,
      ),
    );
  }
  if (allowed && !allowed.includes(ns.value)) {
    out.push(
      finding(
        "export/namespace-not-allowed",
        ns.span,
        `${what} is exported from ${ns.value}, which exportPolicy.allowedNamespaces does not list (${allowed.length ? allowed.join(", ") : "none"})`,
      ),
    );
  }
  return out;
}

/** export/* on the topology's own `exports`, judged against its own exportPolicy. */
export function topologyExportRules(ctx: TopologyContext): Finding[] {
  const t = ctx.topology;
  const out: Finding[] = [];
  const allowed = t.exportPolicy?.allowedNamespaces?.items.map((i) => i.value);
  for (const e of t.exports) {
    const what = `Service ${e.service?.value ?? `exports[${e.index}]`}`;
    if (e.namespace) out.push(...namespaceFindings(e.namespace, `${what}`, allowed));
    for (const ref of e.clusters?.items ?? []) {
      const c = t.clusterByName.get(ref.value);
      if (c && c.mesh === "none" && !c.invalid.has("mesh") && !istioGatewayPeers(ctx, c).length) {
        out.push(
          finding(
            "export/cluster-without-mesh",
            ref.span,
            `${what} is exported from ${ref.value}, whose mesh is none: no other cluster can reach its endpoints`,
          ),
        );
      }
    }
    const kept = remoteEndpointsKept(ctx, e);
    if (kept) out.push(kept);
  }
  return out;
}

/**
 * The clusters that reach `c`'s endpoints through its Istio east-west gateway: the other members
 * of its Istio mesh on another network, when `c` has `eastWestGateway: true`. Such a cluster has a
 * cross-cluster network even with `mesh: none` (the gateway's 15443 AUTO_PASSTHROUGH listener
 * serves every `*.local` Service to the mesh), so export/cluster-without-mesh does not fire for it
 * (README, "Decisions where the design notes are silent"; review M118 changed only its words).
 * A member without the gateway is reported by istio/network-without-gateway and still warned here.
 */
function istioGatewayPeers(ctx: TopologyContext, c: Cluster): Cluster[] {
  const meshId = c.istio?.meshId?.value;
  const own = c.istio?.network?.value;
  // the gateway serves the network it is labelled with: a member that declares none has no network for it to serve
  if (meshId === undefined || own === undefined || c.istio?.eastWestGateway?.value !== true) return [];
  // a member that declares no network is on Istio's default one, which is not c's
  return (istioMeshes(ctx).get(meshId) ?? []).filter((x) => x !== c && (x.istio?.network?.value ?? "") !== own);
}

/**
 * export/remote-endpoints-kept: a ClusterMesh global Service served from two or more sites
 * without `affinity: local`. Cilium keeps a lost or cut-off cluster's endpoints in the Service
 * (clustermesh-cache-ttl is 0 by default: the remote cache is never revoked) and does not
 * health-check them, so every single-site loss sends the callers' share of calls into a
 * timeout — the break the what-if engine reports under each of those losses.
 */
function remoteEndpointsKept(ctx: TopologyContext, e: Export): Finding | undefined {
  const exporters = meshedExporters(ctx, e);
  const siteOf = (c: string) => ctx.siteOfCluster(c)!;
  const sites = [...new Set(exporters.map(siteOf))];
  const affinity = exportAffinity(e);
  if (sites.length < 2 || affinity === "local") return undefined;
  const losses: string[] = [];
  for (const site of sites) {
    const callers: string[] = [];
    for (const caller of exporters) {
      if (siteOf(caller) === site) continue;
      const stale = staleShare(exporters, caller, affinity, (c) => siteOf(c) === site);
      if (stale)
        callers.push(
          `${caller} (${siteOf(caller)}) keeps sending ${shareText(stale.unreachable.length, stale.pool)} of its calls to the endpoints of ${listText(stale.unreachable)}`,
        );
    }
    if (callers.length) losses.push(`if ${site} is lost or cut off, ${listText(callers)}`);
  }
  if (!losses.length) return undefined;
  const id = e.namespace ? `${e.namespace.value}/${e.service?.value}` : (e.service?.value ?? `exports[${e.index}]`);
  const cause =
    affinity === "remote"
      ? "its affinity is remote, so each cluster sends its calls to the other clusters' endpoints while any is listed"
      : "with no affinity each cluster spreads its calls over every exporting cluster's endpoints (equal replicas per cluster)";
  return finding(
    "export/remote-endpoints-kept",
    e.affinity?.span ?? e.service?.span ?? e.span,
    `export ${id}: ${losses.join("; ")} — ${cause}, and ${CILIUM_KEEPS_ENDPOINTS}, so those calls time out until the site returns. Set \`affinity: local\` (service.cilium.io/affinity: local) to keep each cluster's calls on its own endpoints while it has any, or set clustermesh-cache-ttl to drop a cut-off cluster's endpoints after that time`,
    {
      fixes: [
        {
          kind: "set-at",
          title: "Set affinity: local",
          preferred: true,
          args: { path: ["exports", e.index], key: "affinity", value: "local" },
        },
      ],
    },
  );
}

export interface ManifestFile {
  readonly path: string;
  readonly objects: readonly K8sObject[];
  readonly policies: readonly ExportPolicy[];
}

/** The union of every export policy in the run (a manifest is judged by all of them). */
function mergePolicies(files: readonly ManifestFile[]): { allowed?: string[]; exporters?: Subject[] } {
  let allowed: string[] | undefined;
  let exporters: Subject[] | undefined;
  for (const f of files) {
    for (const p of f.policies) {
      if (p.allowedNamespaces) allowed = [...(allowed ?? []), ...p.allowedNamespaces.items.map((i) => i.value)];
      if (p.exporters) exporters = [...(exporters ?? []), ...p.exporters];
    }
  }
  return { allowed, exporters };
}

function sameSubject(a: Subject, b: Subject, bindingNamespace: string | undefined): boolean {
  if (a.kind !== b.kind || a.name !== b.name) return false;
  if (a.kind !== "ServiceAccount") return true;
  return (a.namespace ?? bindingNamespace) === b.namespace;
}

/** ClusterRoles every cluster has that allow export without being declared. */
const BUILT_IN_CLUSTER_ROLES: Record<string, PolicyRule[]> = {
  "cluster-admin": [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }],
};

/**
 * export/* on ServiceExport manifests and rbac/* on bindings, across every file of one run
 * (or the workspace): roles, bindings and policies may each live in a different file.
 */
export function manifestRules(files: readonly ManifestFile[]): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>(files.map((f) => [f.path, []]));
  const policy = mergePolicies(files);
  const roles = new Map<string, K8sObject>();
  for (const f of files) {
    for (const o of f.objects) {
      if (o.kind !== "Role" && o.kind !== "ClusterRole") continue;
      const key = `${o.kind}/${o.kind === "Role" ? (o.namespace?.value ?? "default") : ""}/${o.name?.value}`;
      if (!roles.has(key)) roles.set(key, o);
    }
  }
  const allowsExport = (kind: string | undefined, name: string | undefined, ns: string | undefined): boolean | undefined => {
    if (!name) return undefined;
    const role = roles.get(`${kind}/${kind === "Role" ? (ns ?? "default") : ""}/${name}`);
    const rules = role?.rules ?? (kind === "ClusterRole" ? own(BUILT_IN_CLUSTER_ROLES, name) : undefined);
    return rules ? rules.some(ruleAllowsExport) : undefined;
  };

  for (const f of files) {
    const list = out.get(f.path)!;
    for (const o of f.objects) {
      if (o.kind === "ServiceExport" && o.namespace) {
        list.push(...namespaceFindings(o.namespace, `Service ${o.name?.value ?? "?"} (ServiceExport)`, policy.allowed));
      }
      if (o.kind !== "RoleBinding" && o.kind !== "ClusterRoleBinding") continue;
      const ref = o.roleRef;
      const refKind = o.kind === "ClusterRoleBinding" ? "ClusterRole" : ref?.kind;
      if (!allowsExport(refKind, ref?.name?.value, o.namespace?.value)) continue;
      const binding = `${o.kind} ${o.name?.value ?? "?"}`;
      const role = `${refKind} ${ref!.name!.value}`;
      if (o.kind === "ClusterRoleBinding" && ref?.name) {
        list.push(
          finding(
            "rbac/cluster-wide-export",
            ref.name.span,
            `${binding} grants ${role}, which allows creating ServiceExports, in every namespace — kube-system included`,
          ),
        );
      }
      for (const s of o.subjects) {
        const who = `${s.kind ?? "subject"} ${s.name ?? "?"}`;
        if (isBroadSubject(s)) {
          list.push(
            finding(
              "rbac/broad-exporter",
              s.span,
              `${binding} lets ${who} — a broad subject — create ServiceExports through ${role}: anyone in it can publish a Service clusterset-wide`,
            ),
          );
        } else if (policy.exporters && !policy.exporters.some((e) => sameSubject(s, e, o.namespace?.value))) {
          list.push(
            finding(
              "rbac/unlisted-exporter",
              s.span,
              `${binding} lets ${who} create ServiceExports through ${role}, but exportPolicy.exporters does not list it`,
            ),
          );
        }
      }
    }
  }
  return out;
}
