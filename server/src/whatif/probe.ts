/**
 * The game day's proof that the cut took effect: a probe pod in every namespace the chaos tool
 * cuts, and `probe.sh`, generated from the design, that connects from each probe pod to the
 * other side — the ports of the port matrix between the two ends, at the other clusters' node
 * addresses (read from their API before the cut) and at the other sites' declared hosts. Run
 * before the cut every probe must connect (a probe that never connected proves nothing); while
 * the cut stands every probe must time out. Pure: returns file contents.
 */
import { canonical, formatAddress, parseCidr } from "../math/cidr";
import type { TopologyContext } from "../derive/context";
import { type PortRow, portMatrix } from "../ports/ports";
import { shellLine, shellWord } from "../util/shell";

/** The probe pods' image: busybox's nc (-z, -w) is all the probe needs; mirror it where the clusters pull from. */
export const PROBE_IMAGE = "busybox:1.36.1";

/** The probe pod's name in each cut namespace. */
export const PROBE_POD = "quorate-probe";

/** Every node's kubelet listens here (kubernetes.io/docs/reference/networking/ports-and-protocols/): the probe's port when the port matrix has no TCP row to a cluster. */
export const KUBELET_TCP = 10250;

/** A declared host range is swept address by address up to this many addresses (a /28 has 14 hosts). */
export const MAX_SWEPT_ADDRESSES = 30;

/** Where a probe starts: a cut namespace of a cluster. */
export interface ProbeSource {
  readonly cluster: string;
  readonly site: string;
  readonly namespace: string;
}

/** One probe: from a probe pod to a set of addresses on the other side, one TCP port; open when any address accepts. */
export interface Probe {
  readonly from: ProbeSource;
  /** "nodes of lon-prod", "hosts at ams (192.168.30.0/28)" */
  readonly what: string;
  readonly port: number;
  /** "cilium-health", "etcd peer", "kubelet (every node)" */
  readonly why: string;
  /** a cluster whose node InternalIPs are read from its API before the cut, or fixed addresses */
  readonly to: { readonly cluster: string } | { readonly addresses: readonly string[] };
}

export interface ProbePlan {
  readonly probes: Probe[];
  /** what cannot be probed, said plainly */
  readonly notes: string[];
}

/** The addresses of a small declared range (network and broadcast left out of an IPv4 range wider than /31); undefined when too large to sweep. */
function sweep(range: string): string[] | undefined {
  const c = parseCidr(range);
  if (!c) return undefined;
  const n = c.last - c.first + 1n;
  const inner = c.family === 4 && n > 2n;
  const first = inner ? c.first + 1n : c.first;
  const last = inner ? c.last - 1n : c.last;
  if (last - first + 1n > BigInt(MAX_SWEPT_ADDRESSES)) return undefined;
  const out: string[] = [];
  for (let a = first; a <= last; a++) out.push(formatAddress(c.family, a));
  return out;
}

/**
 * The probes from every cut namespace to the other side. `sideOf(site)` is the site's side of the
 * cut; `nodesDeclared(cluster)` tells whether the cut drops that cluster's node range (a probe to
 * nodes whose range is not cut would fail for the wrong reason).
 */
export function probePlan(
  ctx: TopologyContext,
  sources: readonly ProbeSource[],
  sideOf: (site: string) => number,
  nodesDeclared: (cluster: string) => boolean,
): ProbePlan {
  const rows = portMatrix(ctx).rows.filter((r) => r.protocol === "TCP" && r.port !== null);
  const t = ctx.topology;
  const probes: Probe[] = [];
  const notes: string[] = [];
  /** the TCP ports the matrix opens from side `side` to the end `matches` (either direction for `both` rows) */
  const portsTo = (side: number, matches: (r: PortRow, end: "to" | "from") => boolean) => {
    const out = new Map<number, string>();
    for (const r of rows) {
      if (matches(r, "to") && sideOf(r.from.site) === side && !out.has(r.port!)) out.set(r.port!, r.component);
      if (r.direction === "both" && matches(r, "from") && sideOf(r.to.site) === side && !out.has(r.port!)) out.set(r.port!, r.component);
    }
    return [...out].sort((a, b) => a[0] - b[0]);
  };
  for (const from of sources) {
    const side = sideOf(from.site);
    for (const c of t.clusters) {
      const name = c.name?.value;
      const site = name ? ctx.siteOfCluster(name) : undefined;
      if (!name || !site || sideOf(site) < 0 || sideOf(site) === side || !nodesDeclared(name)) continue;
      // only what listens on the nodes themselves (a store's pods listen on pod addresses, not these)
      const nodes = new Set(
        c.cidrs
          .filter((v) => v.field === "nodes")
          .map((v) => parseCidr(v.value))
          .filter((x) => x !== undefined)
          .map(canonical),
      );
      const ports = portsTo(
        side,
        (r, end) => r[end].cluster === name && r[end].ranges.length > 0 && r[end].ranges.every((x) => nodes.has(x)),
      );
      for (const [port, why] of ports.length ? ports : [[KUBELET_TCP, "kubelet (every node)"] as const])
        probes.push({ from, what: `nodes of ${name}`, port, why, to: { cluster: name } });
    }
    for (const [site, decl] of t.siteByName) {
      if (sideOf(site) < 0 || sideOf(site) === side) continue;
      for (const item of decl.addresses?.items ?? []) {
        const addresses = sweep(item.value);
        const ports = portsTo(side, (r, end) => r[end].site === site && !r[end].cluster && r[end].ranges.includes(item.value));
        if (!ports.length) continue;
        if (!addresses) {
          notes.push(
            `hosts at ${site} (${item.value}): more than ${MAX_SWEPT_ADDRESSES} addresses, too many to sweep from a pod — the drop counters on those hosts prove the cut there`,
          );
          continue;
        }
        for (const [port, why] of ports) probes.push({ from, what: `hosts at ${site} (${item.value})`, port, why, to: { addresses } });
      }
    }
  }
  return { probes, notes };
}

/** A probe pod: unprivileged (the restricted Pod Security level), tiny, sleeping while the game day lasts. */
export function probePod(namespace: string, seconds: number, labels: Record<string, string>) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: PROBE_POD, namespace, labels: { ...labels, "app.kubernetes.io/name": PROBE_POD } },
    spec: {
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: "probe",
          image: PROBE_IMAGE,
          command: ["sleep", String(seconds)],
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
          resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "32Mi" } },
        },
      ],
    },
  };
}

const oneLine = (s: string) => s.replace(/[\r\n\u2028\u2029]/g, " ");

/** `probe.sh`: run from a workstation that reaches every cluster's API outside the cut. */
export function probeScript(plan: ProbePlan, title: string): string {
  const keys = new Map<string, string>();
  for (const p of plan.probes) if ("cluster" in p.to && !keys.has(p.to.cluster)) keys.set(p.to.cluster, `c${keys.size + 1}`);
  const out = [
    "#!/bin/sh",
    oneLine(`# quorate gameday probe: ${title}`),
    "# Run from a workstation that reaches every cluster's API over the management network, not through the cut:",
    "#   sh probe.sh before   once the probe pods run, before the cut: every probe must connect (it also records the nodes' addresses)",
    "#   sh probe.sh during   while the cut stands: every probe must time out",
    "# A probe that does not connect before the cut proves nothing: fix the firewall or the plan before the game day.",
    "set -u",
    'phase="$*"',
    'case "$phase" in before | during) ;; *) echo "usage: sh probe.sh before|during" >&2; exit 2 ;; esac',
    'cd "$(dirname "$0")" || exit 2',
    "recorded=probe-addresses.txt",
    "bad=0",
    "unknown=0",
    "",
    "# record KEY CONTEXT: the InternalIP addresses of the cluster's nodes, read before the cut (an isolated cluster's API may not answer during it)",
    "record() {",
    `  kubectl --context "$2" get nodes -o jsonpath='{range .items[*]}{.status.addresses[?(@.type=="InternalIP")].address}{"\\n"}{end}' |`,
    `    tr ' ' '\\n' | awk -v k="$1" 'NF { print k, $1 }' >>"$recorded"`,
    "}",
    "# addresses KEY: what record wrote",
    `addresses() { awk -v k="$1" '$1 == k { print $2 }' "$recorded" 2>/dev/null; }`,
    "",
    "# probe CONTEXT NAMESPACE WHAT PORT ADDRESS...: open when any address accepts a TCP connection on PORT within 3 s",
    "probe() {",
    "  ctx=$1 ns=$2 what=$3 port=$4",
    "  shift 4",
    `  if ! kubectl --context "$ctx" -n "$ns" get pod ${PROBE_POD} >/dev/null 2>&1; then`,
    `    echo "UNKNOWN  $what: the API of $ctx does not answer, or the probe pod is missing: nothing is probed from there"`,
    "    unknown=$((unknown + 1))",
    "    return",
    "  fi",
    '  if [ $# -eq 0 ]; then echo "UNKNOWN  $what: no address recorded (run: sh probe.sh before)"; unknown=$((unknown + 1)); return; fi',
    "  got=closed",
    '  for a in "$@"; do',
    `    if kubectl --context "$ctx" -n "$ns" exec ${PROBE_POD} -- nc -z -w 3 "$a" "$port" >/dev/null 2>&1; then`,
    '      got="open at $a"',
    "      break",
    "    fi",
    "  done",
    "  want=open",
    '  [ "$phase" = during ] && want=closed',
    '  case "$got" in',
    '    "$want"*) echo "ok       $what: $got" ;;',
    '    *) echo "FAIL     $what: $got, expected $want"; bad=$((bad + 1)) ;;',
    "  esac",
    "}",
    "",
    'if [ "$phase" = before ]; then',
    '  : >"$recorded"',
    ...[...keys].map(([cluster, key]) => `  ${shellLine(["record", key, cluster])}`),
    "fi",
    "",
  ];
  for (const p of plan.probes) {
    const label = oneLine(`${p.from.cluster}/${p.from.namespace} → ${p.what}: TCP ${p.port} (${p.why})`);
    const to = "cluster" in p.to ? `$(addresses ${keys.get(p.to.cluster)})` : p.to.addresses.map(shellWord).join(" ");
    out.push(`${shellLine(["probe", p.from.cluster, p.from.namespace, label, String(p.port)])} ${to}`);
  }
  if (!plan.probes.length) out.push('echo "nothing to probe: no cut namespace has a declared range on the other side"');
  out.push("", 'echo "$bad failed, $unknown unknown"', '[ "$bad" -eq 0 ]', "");
  return out.join("\n");
}
