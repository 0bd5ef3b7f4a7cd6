/**
 * The game day's proof that the cut took effect: `probe.sh`, generated from the design, tests
 * each TCP row of the port matrix that crosses the cut from its real source — a host-network flow
 * (etcd, the Cilium agents, the clustermesh-apiserver NodePort, a witness VM) from one of its
 * hosts over ssh, because chaos tools never touch a host's own network and only the host tables
 * cut it; a flow pods make (a store's replication) from a probe pod in that namespace, which the
 * chaos tool selects. The addresses on the other side are the other clusters' nodes or pods (read
 * from their APIs before the cut) and the other sites' declared hosts. Before the cut every probe
 * must connect (a probe that never connected proves nothing); while the cut stands every probe
 * must time out. Pure: returns file contents.
 */
import { formatAddress, parseCidr } from "../math/cidr";
import type { TopologyContext } from "../derive/context";
import { type End, type PortRow, portMatrix } from "../ports/ports";
import { shellLine, shellWord } from "../util/shell";
import { commentLine } from "../util/terminal";

/** The probe pods' image: busybox's nc (-z, -w) is all the probe needs; mirror it where the clusters pull from. */
export const PROBE_IMAGE = "busybox:1.36.1";

/** The probe pod's name in each cut namespace. */
export const PROBE_POD = "quorate-probe";

/** A declared host range is swept address by address up to this many addresses (a /28 has 14 hosts). */
export const MAX_SWEPT_ADDRESSES = 30;

/** Where a probe starts: a cut namespace of a cluster. */
export interface ProbeSource {
  readonly cluster: string;
  readonly site: string;
  readonly namespace: string;
}

/**
 * A set of addresses a probe starts from or goes to: a cluster's nodes (or only its control-plane
 * nodes: etcd, kube-apiserver) or the pods of one of its namespaces, read from its API before the
 * cut; or fixed addresses (a site's declared hosts). `within`: only the nodes inside the end's
 * declared ranges (its site's), because a stretched control plane has nodes at other sites — a
 * London control-plane VM of fra-prod is on London's side of a cut of fra.
 */
export type AddressSet =
  | { readonly cluster: string; readonly controlPlane?: boolean; readonly within?: readonly string[] }
  | { readonly cluster: string; readonly namespace: string }
  | { readonly addresses: readonly string[] };

/**
 * Where a probe starts: a probe pod in a namespace the chaos tool cuts (for the flows pods make),
 * or a host reached over ssh (for host-network flows: etcd, the Cilium agents, the
 * clustermesh-apiserver NodePort, hosts outside the clusters). Chaos Mesh never touches a host's
 * own network, so only a probe from the host tests the host tables.
 */
export type ProbeStart =
  | { readonly kind: "pod"; readonly cluster: string; readonly site: string; readonly namespace: string }
  | { readonly kind: "host"; readonly site: string; readonly what: string; readonly hosts: AddressSet };

/** One probe: from a start to a set of addresses on the other side, one TCP port; open when any address accepts. */
export interface Probe {
  readonly from: ProbeStart;
  /** "nodes of lon-prod", "hosts at ams (192.168.30.0/28)" */
  readonly what: string;
  readonly port: number;
  /** "cilium-health", "etcd peer", "kubelet (every node)" */
  readonly why: string;
  readonly to: AddressSet;
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

/** Every address of an end's declared ranges, or undefined (with a note) when one is too large to sweep. */
function swept(e: End, notes: string[]): string[] | undefined {
  const parts = e.ranges.map(sweep);
  if (parts.every((x) => x !== undefined)) return parts.flat();
  const note = `${e.what} (${e.ranges.join(", ")}): more than ${MAX_SWEPT_ADDRESSES} addresses, too many to sweep — the drop counters on those hosts prove the cut there`;
  if (!notes.includes(note)) notes.push(note);
  return undefined;
}

/** What the probe sees of one end of a row. */
interface Side {
  readonly start?: ProbeStart;
  readonly target?: AddressSet;
  readonly what: string;
}

/**
 * The probes for every TCP row of the port matrix that crosses the cut, each from its real
 * source: `sideOf(site)` is the site's side of the cut; `sources` are the namespaces the chaos tool
 * cuts (a probe pod goes there); `nodesDeclared(cluster)` tells whether the cut drops that
 * cluster's node range (a probe to nodes whose range is not cut would fail for the wrong reason).
 * A row in both directions is probed from each end: each direction crosses one side's outbound
 * rules and the other's inbound ones.
 */
export function probePlan(
  ctx: TopologyContext,
  sources: readonly ProbeSource[],
  sideOf: (site: string) => number,
  nodesDeclared: (cluster: string) => boolean,
): ProbePlan {
  const notes: string[] = [];
  const cut = (r: PortRow) => sideOf(r.from.site) >= 0 && sideOf(r.to.site) >= 0 && sideOf(r.from.site) !== sideOf(r.to.site);
  // a conditional row (only where pod ranges are routed, only without NAT-T) need not connect before the cut
  const rows = portMatrix(ctx).rows.filter((r) => r.protocol === "TCP" && r.port !== null && !r.when && cut(r));
  const side = (e: End): Side => sideOfEnd(e, sources, nodesDeclared, notes);
  const probes = new Map<string, Probe>();
  for (const r of rows)
    for (const [a, b] of r.direction === "both" ? [[r.from, r.to] as const, [r.to, r.from] as const] : [[r.from, r.to] as const]) {
      const [x, y] = [side(a), side(b)];
      if (!x.start || !y.target) continue;
      const p: Probe = { from: x.start, what: y.what, port: r.port!, why: r.component, to: y.target };
      const key = JSON.stringify([p.from, p.to, p.port]);
      if (!probes.has(key)) probes.set(key, p);
    }
  return { probes: [...probes.values()], notes };
}

/** How an end is probed: from a probe pod (a cut namespace's pods) or a host; to recorded or declared addresses. */
function sideOfEnd(e: End, sources: readonly ProbeSource[], nodesDeclared: (cluster: string) => boolean, notes: string[]): Side {
  const ranges = e.ranges.join(", ");
  if (e.namespace) {
    if (!e.cluster) return { what: e.what };
    const src = sources.find((x) => x.cluster === e.cluster && x.namespace === e.namespace);
    return {
      what: `pods of ${e.cluster} in ${e.namespace}`,
      target: { cluster: e.cluster, namespace: e.namespace },
      ...(src ? { start: { kind: "pod" as const, ...src } } : {}),
    };
  }
  if (e.cluster) {
    if (!e.ranges.length || !nodesDeclared(e.cluster)) return { what: e.what };
    const hosts = { cluster: e.cluster, ...(e.controlPlane ? { controlPlane: true } : {}), within: e.ranges };
    if (e.ranges.some((r) => parseCidr(r)?.family !== 4)) {
      const note = `${e.what} (${ranges}): probe.sh filters recorded node addresses by IPv4 range only — it keeps every node of ${e.cluster}, so check that each probe "from" one of them starts at ${e.site}`;
      if (!notes.includes(note)) notes.push(note);
    }
    const what = e.controlPlane ? `control-plane nodes of ${e.cluster}` : `nodes of ${e.cluster}`;
    return {
      what,
      target: hosts,
      start: {
        kind: "host",
        site: e.site,
        what: e.controlPlane ? `a control-plane node of ${e.cluster}` : `a node of ${e.cluster}`,
        hosts,
      },
    };
  }
  if (!e.ranges.length) return { what: e.what };
  const addresses = swept(e, notes);
  if (!addresses) return { what: e.what };
  return {
    what: `hosts at ${e.site} (${ranges})`,
    target: { addresses },
    start: { kind: "host", site: e.site, what: `a host at ${e.site} (${ranges})`, hosts: { addresses } },
  };
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

/**
 * How long one connection attempt may take: 2 s covers one lost SYN (Linux retransmits it after
 * 1 s) on a WAN path of a few tens of ms, so an open path is not read as closed.
 */
export const PROBE_TIMEOUT_SECONDS = 2;

/** How many addresses of one row are tried at once: a row's attempts run in parallel, this many at a time. */
export const PROBE_PARALLEL = 16;

/**
 * What runs on a host over ssh: every address tried at once (${PROBE_PARALLEL} at a time), each
 * under ${PROBE_TIMEOUT_SECONDS} s (bash's /dev/tcp under coreutils' timeout: no nc variant to
 * depend on). Prints the first address that accepted and exits 0; exits 1 when none did, 3 when
 * the host lacks bash or timeout (unknown, never "closed"). A row of closed addresses costs
 * ${PROBE_TIMEOUT_SECONDS} s per ${PROBE_PARALLEL} addresses, not ${PROBE_TIMEOUT_SECONDS} s each.
 */
export const HOST_CHECK = `command -v bash >/dev/null && command -v timeout >/dev/null || exit 3; p=$1; shift; out=$(n=0; for a in "$@"; do (timeout ${PROBE_TIMEOUT_SECONDS} bash -c "exec 3<>/dev/tcp/$a/$p" 2>/dev/null && echo "$a") & n=$((n + 1)); [ "$n" -lt ${PROBE_PARALLEL} ] || { wait; n=0; }; done; wait); [ -n "$out" ] || exit 1; echo "$out" | head -n 1`;

/**
 * What runs in a probe pod (busybox sh and nc): every address tried at once (${PROBE_PARALLEL}
 * at a time), each under ${PROBE_TIMEOUT_SECONDS} s; prints the addresses that accepted, then
 * \`end\` — a reply without it means the exec itself failed (unknown, never "closed").
 */
export const POD_CHECK = `p=$1; shift; n=0; for a in "$@"; do (nc -z -w ${PROBE_TIMEOUT_SECONDS} "$a" "$p" >/dev/null 2>&1 && echo "$a") & n=$((n + 1)); [ "$n" -lt ${PROBE_PARALLEL} ] || { wait; n=0; }; done; wait; echo end`;

/** The overhead of one probe besides its attempts: one ssh connection or one kubectl exec round trip. */
const ROUND_TRIP_SECONDS = 1;

/**
 * How long \`probe.sh during\` takes when every path is closed (the slowest case): the rows one
 * after another, each ${PROBE_TIMEOUT_SECONDS} s per ${PROBE_PARALLEL} addresses plus a round
 * trip. A row to addresses recorded before the cut counts as one batch: \`recordedAbove\` says
 * how many recorded addresses a row may have before it costs more.
 */
export function probeSeconds(plan: ProbePlan): { seconds: number; rows: number; recordedAbove: number } {
  const batches = (to: AddressSet) => ("addresses" in to ? Math.max(1, Math.ceil(to.addresses.length / PROBE_PARALLEL)) : 1);
  const seconds = plan.probes.reduce((a, p) => a + batches(p.to) * PROBE_TIMEOUT_SECONDS + ROUND_TRIP_SECONDS, 0);
  return { seconds, rows: plan.probes.length, recordedAbove: PROBE_PARALLEL };
}

/** The key an address set is recorded under in probe-addresses.txt: c1 (nodes), c1cp (control-plane nodes), c1p1 (pods of a namespace), h1 (hosts that answer ssh). */
function keysOf(plan: ProbePlan): Map<string, { key: string; set: AddressSet }> {
  const keys = new Map<string, { key: string; set: AddressSet }>();
  const clusters = new Map<string, string>();
  let hosts = 0;
  const add = (set: AddressSet) => {
    const id = JSON.stringify(set);
    if (keys.has(id)) return;
    if ("addresses" in set) {
      keys.set(id, { key: `h${++hosts}`, set });
      return;
    }
    if (!clusters.has(set.cluster)) clusters.set(set.cluster, `c${clusters.size + 1}`);
    const c = clusters.get(set.cluster)!;
    const suffix =
      "namespace" in set ? `p${[...keys.values()].filter((k) => k.key.startsWith(`${c}p`)).length + 1}` : set.controlPlane ? "cp" : "";
    // the same cluster's nodes within other ranges (another site's) get a key of their own
    const taken = new Set([...keys.values()].map((k) => k.key));
    let key = `${c}${suffix}`;
    for (let n = 2; taken.has(key); n++) key = `${c}${suffix}-${n}`;
    keys.set(id, { key, set });
  };
  for (const p of plan.probes) {
    if (p.from.kind === "host") add(p.from.hosts);
    if (!("addresses" in p.to)) add(p.to);
  }
  return keys;
}

/** The `before` line that records one address set. */
function recordLine(key: string, set: AddressSet): string {
  if ("addresses" in set) return `  ${shellLine(["sshable", key, ...set.addresses])}`;
  if ("namespace" in set) return `  ${shellLine(["record_pods", key, set.cluster, set.namespace])}`;
  const v4 = set.within?.length && set.within.every((r) => parseCidr(r)?.family === 4);
  const within = v4 ? set.within!.join(",") : "-";
  return `  ${shellLine(["record_nodes", key, set.cluster, within, ...(set.controlPlane ? ["-l", "node-role.kubernetes.io/control-plane"] : [])])}`;
}

/** probe.sh's shell functions: recording addresses before the cut, and the pod and host probes. */
const PROBE_FUNCTIONS: readonly string[] = [
  "# keep KEY: one address per line on stdin (addresses only: nothing else reaches a command line), recorded under KEY",
  `keep() { tr ' ' '\\n' | awk -v k="$1" '$1 ~ /^[0-9A-Fa-f.:]+$/ { print k, $1 }' >>"$recorded"; }`,
  "# within RANGES: the IPv4 addresses on stdin inside one of RANGES (comma-separated CIDRs); '-' keeps every address",
  "within() {",
  `  tr ' ' '\\n' | awk -v r="$1" 'function n(a, p) { split(a, p, "."); return ((p[1] * 256 + p[2]) * 256 + p[3]) * 256 + p[4] }`,
  `    BEGIN { c = split(r, rs, ",") }`,
  `    r == "-" { print; next }`,
  `    $1 ~ /^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$/ { for (i = 1; i <= c; i++) { split(rs[i], q, "/"); s = 2 ^ (32 - q[2]); if (int(n($1) / s) == int(n(q[1]) / s)) { print; next } } }'`,
  "}",
  "# record_nodes KEY CONTEXT RANGES [-l SELECTOR]: the InternalIP addresses of the cluster's nodes within RANGES (the end's site:",
  "# a stretched control plane has nodes at other sites, on the other side of the cut), read before the cut (an isolated cluster's API may not answer during it)",
  "record_nodes() {",
  "  k=$1 ctx=$2 r=$3",
  "  shift 3",
  `  kubectl --context "$ctx" get nodes "$@" -o jsonpath='{range .items[*]}{.status.addresses[?(@.type=="InternalIP")].address}{"\\n"}{end}' | within "$r" | keep "$k"`,
  "}",
  "# record_pods KEY CONTEXT NAMESPACE: the addresses of the running pods of a namespace",
  "record_pods() {",
  `  kubectl --context "$2" -n "$3" get pods --field-selector=status.phase=Running -o jsonpath='{range .items[*]}{.status.podIP}{"\\n"}{end}' | keep "$1"`,
  "}",
  "# sshable KEY ADDRESS...: the declared hosts that answer ssh (probes start from them), all asked at once",
  "sshable() {",
  "  k=$1",
  "  shift",
  '  for a in "$@"; do ($SSH "$a" true </dev/null >/dev/null 2>&1 && echo "$a") & done | sort | keep "$k"',
  "}",
  "# addresses KEY: what was recorded",
  `addresses() { awk -v k="$1" '$1 == k { print $2 }' "$recorded" 2>/dev/null; }`,
  "",
  "# verdict WHAT GOT: GOT is 'open at A' or 'closed'; before the cut every probe must be open, during it closed",
  "verdict() {",
  "  want=open",
  '  [ "$phase" = during ] && want=closed',
  '  case "$2" in',
  '    "$want"*) echo "ok       $1: $2" ;;',
  '    *) echo "FAIL     $1: $2, expected $want"; bad=$((bad + 1)) ;;',
  "  esac",
  "}",
  'unknown() { echo "UNKNOWN  $1: $2"; unknown=$((unknown + 1)); }',
  "",
  "# pod CONTEXT NAMESPACE WHAT PORT ADDRESS...: from the probe pod, which the chaos tool selects; one exec tries every address at once",
  "pod() {",
  "  ctx=$1 ns=$2 what=$3 port=$4",
  "  shift 4",
  `  if ! kubectl --context "$ctx" -n "$ns" get pod ${PROBE_POD} >/dev/null 2>&1; then`,
  '    unknown "$what" "the API of $ctx does not answer, or the probe pod is missing: nothing is probed from there"',
  "    return",
  "  fi",
  '  if [ $# -eq 0 ]; then unknown "$what" "no address recorded (run: sh probe.sh before)"; return; fi',
  `  out=$(kubectl --context "$ctx" -n "$ns" exec ${PROBE_POD} -- sh -c "$podcheck" probe "$port" "$@" 2>/dev/null)`,
  `  if [ "$(printf '%s\\n' "$out" | tail -n 1)" != end ]; then unknown "$what" "the exec in the probe pod of $ctx failed: nothing is probed from there"; return; fi`,
  `  first=$(printf '%s\\n' "$out" | head -n 1)`,
  '  if [ "$first" = end ]; then verdict "$what" closed; else verdict "$what" "open at $first"; fi',
  "}",
  "",
  "# host KEY WHAT PORT ADDRESS...: over ssh from the first recorded host of KEY that answers (host tables, not the chaos tool, cut these)",
  "host() {",
  "  key=$1 what=$2 port=$3",
  "  shift 3",
  '  if [ $# -eq 0 ]; then unknown "$what" "no address recorded (run: sh probe.sh before)"; return; fi',
  '  for src in $(addresses "$key"); do',
  '    got=$($SSH "$src" "sh -c \'$check\' probe $port $*" </dev/null 2>/dev/null)',
  "    case $? in",
  '      0) verdict "$what (from $src)" "open at $got"; return ;;',
  '      1) verdict "$what (from $src)" closed; return ;;',
  "    esac",
  "  done",
  '  unknown "$what" "no host of $key answers ssh, or it lacks bash and timeout: nothing is probed from there"',
  "}",
  "",
];

/** `probe.sh`: run from a workstation that reaches every cluster's API and the hosts (ssh) outside the cut. */
export function probeScript(plan: ProbePlan, title: string): string {
  const keys = keysOf(plan);
  const keyOf = (set: AddressSet) => keys.get(JSON.stringify(set))!.key;
  const time = probeSeconds(plan);
  const out = [
    "#!/bin/sh",
    commentLine(`# quorate gameday probe: ${title}`),
    "# Run from a workstation that reaches every cluster's API and every host (ssh) over the management network, not through the cut:",
    "#   sh probe.sh before   once the probe pods run, before the cut: every probe must connect (it also records the addresses)",
    "#   sh probe.sh during   while the cut stands: every probe must time out",
    `#   during takes about ${time.seconds} s when every path is closed: ${time.rows} probe${time.rows === 1 ? "" : "s"} one after another, the addresses of each tried at once (${PROBE_PARALLEL} at a time, ${PROBE_TIMEOUT_SECONDS} s each)`,
    "# A probe that does not connect before the cut proves nothing: fix the firewall or the plan before the game day.",
    "# Host-network flows are probed from the hosts over ssh (chaos tools never touch a host's own network):",
    '# SSH is the command to reach a host (default: ssh -o BatchMode=yes -o ConnectTimeout=5), e.g. SSH="ssh -J bastion -l ops".',
    "set -u",
    'phase="$*"',
    'case "$phase" in before | during) ;; *) echo "usage: sh probe.sh before|during" >&2; exit 2 ;; esac',
    'cd "$(dirname "$0")" || exit 2',
    `SSH=\${SSH:-ssh -o BatchMode=yes -o ConnectTimeout=5}`,
    "recorded=probe-addresses.txt",
    "bad=0",
    "unknown=0",
    "started=$(date +%s)",
    `check=${shellWord(HOST_CHECK)}`,
    `podcheck=${shellWord(POD_CHECK)}`,
    "",
    ...PROBE_FUNCTIONS,
    'if [ "$phase" = before ]; then',
    '  : >"$recorded"',
    ...[...keys.values()].map((k) => recordLine(k.key, k.set)),
    "fi",
    "",
  ];
  for (const p of plan.probes) {
    const label = commentLine(
      `${p.from.kind === "pod" ? `${p.from.cluster}/${p.from.namespace}` : p.from.what} → ${p.what}: TCP ${p.port} (${p.why})`,
    );
    const to = "addresses" in p.to ? p.to.addresses.map(shellWord).join(" ") : `$(addresses ${keyOf(p.to)})`;
    out.push(
      p.from.kind === "pod"
        ? `${shellLine(["pod", p.from.cluster, p.from.namespace, label, String(p.port)])} ${to}`
        : `${shellLine(["host", keyOf(p.from.hosts), label, String(p.port)])} ${to}`,
    );
  }
  if (!plan.probes.length) out.push('echo "nothing to probe: no TCP row of the port matrix crosses the cut between declared ranges"');
  out.push("", 'echo "$bad failed, $unknown unknown ($(( $(date +%s) - started )) s)"', '[ "$bad" -eq 0 ]', "");
  return out.join("\n");
}

/** The probe pods a plan starts from: one per (cluster, namespace), in a stable order. */
export function probePods(plan: ProbePlan): ProbeSource[] {
  const out = new Map<string, ProbeSource>();
  for (const p of plan.probes)
    if (p.from.kind === "pod") {
      const { cluster, site, namespace } = p.from;
      out.set(JSON.stringify([cluster, namespace]), { cluster, site, namespace });
    }
  return [...out.values()];
}
