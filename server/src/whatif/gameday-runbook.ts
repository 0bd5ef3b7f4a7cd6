/**
 * The game day's RUNBOOK.md: what the engine predicts for the cut the steps enact, as checks an
 * on-call engineer can tick — one named step per section, in the order the experiment runs.
 * Pure: the plan in, Markdown out.
 */
import type { Cluster, Store, Topology } from "../model/topology";
import type { Quorum, TopologyContext } from "../derive/context";
import { bytes, cell, codeSpan, count, loadWords, prose, table } from "../util/format";
import { fileSegment } from "../util/paths";
import { shellLine, shellWord } from "../util/shell";
import { rtoEstimate } from "../availability/figures";
import { portMatrix, portText } from "../ports/ports";
import { displayPath } from "./record";
import { PROBE_IMAGE, PROBE_PARALLEL, PROBE_POD, PROBE_TIMEOUT_SECONDS, type ProbePlan, probePods, probeSeconds } from "./probe";
import {
  deepCheckFailsElsewhere,
  deepReason,
  evictsIfStacked,
  HOSTED_EVICTS_NOTHING,
  judgedOnce,
  type Result,
  ZONE_LABEL_CONDITION,
} from "./engine";
import {
  type BudgetSpend,
  type ClusterPlan,
  DEADMAN_GRACE_SECONDS,
  type GameDayOptions,
  goDuration,
  type HostPlan,
  IPTABLES_CHAIN,
  IPTABLES_ROLLBACK,
  type LagPlan,
  type NodesAmong,
  NFT_TABLE,
  spendText,
  type TimerPlan,
  type EvictionPlan,
  MANUAL_WITHDRAWAL_SECONDS,
  MIN_DERIVED_SECONDS,
} from "./gameday";
import {
  etcdTimers,
  healthCheckDetection,
  isConsul,
  isEtcdEngine,
  isMongo,
  isTidb,
  isYugabyte,
  leaderElectionWords,
  leadershipMoveSeconds,
  NODE_MONITOR_GRACE_SECONDS,
  PD_LEADER_LEASE_SECONDS,
  UNREACHABLE_TOLERATION_SECONDS,
  writeProbeTiming,
} from "../derive/timers";
import { controlPlaneSites } from "../derive/controlplane";
import { conflictMerge, consensusEngine, consensusWords, singlePrimaryEngine } from "../derive/engines";

/** What the runbook is written from: the plan the game day built. */
export interface RunbookInput {
  readonly name: string;
  readonly scenario: { readonly lose: readonly string[] };
  readonly sides: readonly string[][];
  readonly plans: readonly ClusterPlan[];
  /** notes that are not "Not enacted" */
  readonly notes: readonly string[];
  readonly prediction: Result;
  /** the state after the withdrawal the steps enact: what a deep health check withdraws (engine deepWithdrawn) for `--isolate`, the lost sites for `--lose` */
  readonly after?: Result;
  /** the sites a deep health check withdraws (engine deepWithdrawn, review M116): the isolated ones, in the usual case */
  readonly withdrawn?: readonly string[];
  /** `--partition`: the state once a deep health check has withdrawn the backends that err, whichever side (gameday partitionDeepAfter, review M126) */
  readonly deepAfter?: { readonly after: Result; readonly withdrawn: readonly string[] };
  /** `--lose`: the engine's real loss (simulate --lose), whose predictions the isolation does not all enact (review M105) */
  readonly loss?: Result;
  readonly probe: ProbePlan;
  readonly hostPlans: readonly HostPlan[];
  readonly notEnacted: readonly string[];
  readonly enactedQuorums: ReadonlySet<string>;
  /** quorums with members on several sides that no host rule can cut (their outcome is not part of the run) */
  readonly unenactedQuorums: readonly string[];
  /** the traffic entries none of whose predicted errors the steps enact: every store they come from is not cut (gameday enactedView, w85) */
  readonly unenactedEntries: readonly string[];
  readonly ctx: TopologyContext;
  /** the async stores whose replication crosses the cut */
  readonly lag: readonly LagPlan[];
  /** the async stores whose replication crosses the cut where no rule drops it (Not enacted, review M123): nothing is predicted of them */
  readonly uncutStores: readonly string[];
  /** the dead-store timers the cut starts */
  readonly timers: readonly TimerPlan[];
  /** the clusters whose control plane, on the majority side, evicts the pods of the nodes it cut off */
  readonly evictions: readonly EvictionPlan[];
  /** how the duration was chosen: derived from the design, or given (and then what it outlasts); floored: raised to the shortest run that enacts the runbook */
  readonly duration: { readonly text: string; readonly seconds: number; readonly derived: boolean; readonly floored?: boolean };
  /** when the dead-man timer deletes the host tables, in seconds after the cut began (gameday deadmanSeconds): the host files' and the runbook's one figure */
  readonly deadman: number;
  /** why the manifests are not for the tool asked for (Litmus on Cilium), when they are not */
  readonly toolNote?: string;
  /** what the run spends of each declared availability budget */
  readonly spends: readonly BudgetSpend[];
  /** each quorum's leader placement with every site up, as simulate recommends it (null: Galera, none) */
  readonly leaders: Readonly<Record<string, string | null>>;
}

/** Everything a section reads. */
interface Rb {
  readonly r: RunbookInput;
  readonly o: GameDayOptions;
  readonly p: Result;
  readonly t: Topology;
  readonly isolated: readonly string[];
  readonly deadman: number;
  readonly out: string[];
  /** "checkout: 90 s" per entry withdrawn, filled by the withdrawal section */
  readonly windows: string[];
  /** the enacted quorums whose leadership may have to move to the majority side */
  readonly moves: readonly LeadershipMove[];
  /** when the write probes start after the cut, and when writes still failing on the majority side abort */
  readonly probeAt: { readonly from: number; readonly abortAfter: number };
  /** the number of the step that times the withdrawal from steering, once the steps are written */
  readonly steering: { step?: number };
}

/** A quorum that keeps writing on one side while members elsewhere are cut off: its first writes wait if the leader was there. */
interface LeadershipMove {
  readonly quorum: string;
  readonly kind: Quorum["kind"];
  readonly cutOff: readonly string[];
  readonly majority: readonly string[];
  readonly seconds: number;
  /** "up to about 2 s (etcd's 1,000 ms election timeout, randomised up to twice that, then a vote)" */
  readonly why: string;
  readonly recommended: string | null;
}

/** The margin the abort criteria leave under a bound: time to notice, decide and roll back. */
export const ABORT_MARGIN_SECONDS = 30;

/** An entry's error threshold above its baseline: this share of its peak, sustained for ERROR_SUSTAIN_SECONDS. */
export const ERROR_SHARE = 0.005;
export const ERROR_SUSTAIN_SECONDS = 60;

/**
 * etcdctl against the member on the host it runs on, with kubeadm's client certificate (etcd there
 * requires client certificates: --client-cert-auth). Another installer: its etcd client certificate.
 */
export const ETCDCTL = [
  "etcdctl",
  "--endpoints=https://127.0.0.1:2379",
  "--cacert=/etc/kubernetes/pki/etcd/ca.crt",
  "--cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt",
  "--key=/etc/kubernetes/pki/etcd/healthcheck-client.key",
] as const;

/** Where the CockroachDB Helm chart and operator put the client certificates in a CockroachDB pod (`cockroach … --certs-dir`). */
export const COCKROACH_CERTS = "/cockroach/cockroach-certs";

/** The probe key written into the production etcd, deleted in Post-heal. */
export const ETCD_PROBE_KEY = "/quorate/gameday";

const etcdctl = (...args: string[]) => shellLine([...ETCDCTL, ...args]);
const cockroach = (...args: string[]) => shellLine(["cockroach", ...args, `--certs-dir=${COCKROACH_CERTS}`, "--host=NODE:26257"]);

/**
 * YugabyteDB's and TiDB's own tools, against placeholders the runbook names: TSERVER (a yb-tserver,
 * YSQL on 5433), MASTERS (the yb-masters, host:7100 comma-separated), TIDB (a TiDB server, 4000),
 * PD (a placement driver, 2379). The probe's SQL is bounded where the engine can bound it.
 */
const ysqlsh = (db: string, sql: string) => shellLine(["ysqlsh", "-h", "TSERVER", "-p", "5433", "-d", db, "-c", sql]);
const ybAdmin = (...args: string[]) => shellLine(["yb-admin", "-master_addresses", "MASTERS", ...args]);
const tidbSql = (sql: string) => shellLine(["mysql", "-h", "TIDB", "-P", "4000", "-e", sql]);
const pdCtl = (...args: string[]) => shellLine(["pd-ctl", "-u", "http://PD:2379", ...args]);

/**
 * The single-leader stores' own tools (review M130), against placeholders the runbook names:
 * MEMBER (a MongoDB replica-set member, 27017); an etcd member's own client port on the host (or
 * in the pod) it runs on; a Consul server's local agent (its HTTP API, 127.0.0.1:8500 by default).
 */
const mongosh = (js: string) => shellLine(["mongosh", "mongodb://MEMBER:27017", "--quiet", "--eval", js]);
const MONGO_MEMBERS = "rs.status().members.map(m => [m.name, m.stateStr, m.health])";
const storeEtcdctl = (...args: string[]) => shellLine(["etcdctl", "--endpoints=https://127.0.0.1:2379", ...args]);
const consul = (...args: string[]) => shellLine(["consul", ...args]);

/** Why an etcd read dials its own member only (review M129): the members' client port between sites may be closed (the port matrix opens it only where the design needs it). */
const ETCD_LOCAL_ONLY =
  "only the member on that host is dialled, so it answers whether or not the firewall opens the members' client port, TCP 2379, between sites";

/**
 * Where etcd's leader is, read on one member: its own status names the leader's member ID (and the
 * Raft term), its member list names that member — both in etcdctl's `fields` output, whose IDs are
 * the same decimal numbers (the table prints the list's in hex).
 */
function etcdLeaderRead(run: (...args: string[]) => string, certs: string): string {
  return `${codeSpan(run("endpoint", "status", "-w", "fields"))} — its "Leader" is the leader's member ID, "RaftTerm" the term — then ${codeSpan(run("member", "list", "-w", "fields"))}: the member whose "ID" is that number leads, its "Name" and "PeerURL" say where it runs (${ETCD_LOCAL_ONLY}; ${certs})`;
}

/** etcd healed, member by member on its own host: healthy, one leader, one term, caught up. */
function etcdHealedRead(run: (...args: string[]) => string, certs: string): string {
  return `${codeSpan(run("endpoint", "health"))} and ${codeSpan(run("endpoint", "status", "-w", "table"))} on every member's host in turn, over ssh (${ETCD_LOCAL_ONLY}; ${certs}) — each healthy, IS LEADER true on exactly one, the same RAFT TERM on all of them, and RAFT INDEX level with the others' (caught up)`;
}

/** The client certificates the runbook's etcdctl lines assume: kubeadm's for a cluster's etcd, the store's own for a store on etcd. */
const KUBEADM_CERTS = "kubeadm's certificate paths; with another installer, its etcd client certificate";
const STORE_ETCD_CERTS = "the store's client certificates in ETCDCTL_CACERT, ETCDCTL_CERT and ETCDCTL_KEY; http:// where it serves no TLS";

/** A MySQL (TiDB) identifier as written: bare when it is a plain lower-case name, else back-quoted. */
const mysqlName = (x: string) => (/^[a-z_][a-z0-9_]*$/.test(x) ? x : `\`${x.replace(/`/g, "``")}\``);

/** A SQL identifier as written: bare when it is a plain lower-case name, else double-quoted. */
const sqlName = (x: string) => (/^[a-z_][a-z0-9_]*$/.test(x) ? x : `"${x.replace(/"/g, '""')}"`);

/** The probe table in the store's own database (same zone config as its ranges), assumed to be named like the store. */
const probeTable = (st: Store) => `${sqlName(st.name!.value)}.quorate_probe`;

const int = (x: number) => count(Math.round(x));
const sec = (x: number) => `${count(Math.round(x * 10) / 10, 1)} s`;

/** Every host rule file of a plan: nftables, then the iptables alternatives. */
export const hostFiles = (h: HostPlan) => [h.file, ...(h.iptables ? [h.iptables] : []), ...(h.ip6tables ? [h.ip6tables] : [])];

/** A kubectl command line against one context. */
export const kubectlLine = (context: string, args: readonly string[]) => shellLine(["kubectl", "--context", context, ...args]);

/** Where a cluster's probe pod manifest goes. */
export const probeFile = (cluster: string) => `${fileSegment(cluster)}/probe.yaml`;

/** The copy-paste command for one cluster, every name quoted for the shell. */
export const kubectl = (context: string, verb: "apply" | "delete", file: string) =>
  shellLine(["kubectl", "--context", context, verb, "-f", file]);

/** Where the pre-flight records a cluster's node addresses (the host steps and the roll-back read it when its API is gone). */
const nodesFile = (cluster: string) => `${fileSegment(cluster)}-nodes.txt`;

export function runbookOf(r: RunbookInput, o: GameDayOptions): string {
  const moves = leadershipMoves(r);
  const rb: Rb = {
    r,
    o,
    p: r.prediction,
    t: r.ctx.topology,
    isolated: r.scenario.lose,
    deadman: r.deadman,
    out: [],
    windows: [],
    moves,
    probeAt: writeProbeTiming(moves.map((m) => m.seconds)),
    steering: {},
  };
  for (const section of [
    intro,
    realLoss,
    whatIsCut,
    preflight,
    steps,
    proof,
    withdraw,
    abortCriteria,
    customerImpact,
    checks,
    rollback,
    postHeal,
  ])
    section(rb);
  return rb.out.join("\n");
}

/** The title, what writes it, what it predicts with, and for how long. */
function intro(rb: Rb): void {
  const { r, o, out, isolated } = rb;
  const one = isolated.length === 1;
  const simulate = one
    ? // the topology path as the record prints it, never the machine's absolute path (record.md; review style d)
      shellLine(["quorate", "simulate", "--isolate", isolated[0], displayPath(o.source)])
    : shellLine(["quorate", "simulate", "--partition", r.sides.map((x) => x.join(",")).join("/"), displayPath(o.source)]);
  out.push(
    `# Game day: ${cell(r.name)}${isolated.length && !o.isolate ? " (enacted as isolation)" : ""}`,
    "",
    `Written by \`quorate gameday\` from ${codeSpan(displayPath(o.source))} for ${o.tool === "chaos-mesh" ? "Chaos Mesh (NetworkChaos, action partition)" : "Litmus (ChaosEngine, pod-network-partition)"} and nftables on the hosts, lasting ${cell(r.duration.text)}. ${
      isolated.length
        ? `${o.isolate ? `${cell(isolated.join(", "))} is isolated` : `Losing ${cell(isolated.join(", "))} is enacted as isolation`}: ${one ? "cut off from every other site (its machines keep running" : "each cut off from every other site, the other lost ones included, as a loss leaves them (their machines keep running"}, as in a WAN cut), ${introWithdrawal(rb, simulate)}`
        : `The predictions are the what-if engine's for the same partition (${codeSpan(simulate)}).`
    } A check is written only for what the steps below actually cut.`,
    "",
  );
  if (r.toolNote) out.push(`**Why Chaos Mesh and not Litmus:** ${cell(r.toolNote)}`, "");
  out.push(...goNoGo(r), ...durationText(r), ...tooShort(rb), "");
}

/**
 * Who the intro says is withdrawn, and after what the predictions are judged: the isolated sites by
 * an explicit step, in the usual case; where a deep health check withdraws another side's backends
 * (review M116), `--isolate` says those are withdrawn (the engine's "after"), `--lose` that it
 * withdraws the lost sites all the same, to enact the loss, and that simulate's "after" differs.
 */
function introWithdrawal(rb: Rb, simulate: string): string {
  const { isolated, t } = rb;
  const side = cell(isolated.join(", "));
  const entries = steeredEntries(rb).filter((tr) => deepOthers(rb, tr.name!.value).length);
  const why = entries
    .map((tr) => {
      const failing = deepCheckFailsElsewhere(rb.p, tr.name!.value, isolated);
      return `a deep health check withdraws ${cell(listOf(failing.map((b) => b.cluster)))}, not ${side}: ${cell(deepReason(rb.r.ctx, tr, isolated, failing))}`;
    })
    .join("; ");
  const sim = codeSpan(simulate);
  if (!entries.length || !t.traffic.length)
    return `then withdrawn from steering by an explicit step. The predictions are the what-if engine's (${sim}): the window before the withdrawal, then the state after it.`;
  return rb.o.isolate
    ? `and stays in steering — ${why} (by hand, in the Steering step, if the check is shallow). The predictions are the what-if engine's (${sim}): the window before that withdrawal, then the state after it.`
    : `then withdrawn from steering by an explicit step, as a lost site answers nothing (${why.replace(/withdraws/g, "would withdraw")}). The predictions are the what-if engine's: the window is ${sim}'s, the state after it the same cut with ${side} withdrawn, as the steps enact it — not that command's "after", which follows the deep check.`;
}

/**
 * `--lose X` enacts X's isolation, not its loss: X's machines keep running. What `simulate --lose X`
 * predicts and the drill does not enact — the clients' timeouts where the drill shows 5xx, the
 * writes a lost writer site takes with it, members gone rather than cut off — is said before the
 * drill, so a pass is not read as proof of the loss (review M105).
 */
function realLoss({ r, o, out, isolated }: Rb): void {
  const loss = r.loss;
  if (!loss) return;
  const drill = new Set(judged({ r, p: r.prediction } as Rb).flatMap((x) => [...x.breaks, ...x.notes]));
  // the loss's own predictions the isolation does not make (a window, an RPO, a lost cluster)
  const adds = [...loss.breaks, ...loss.notes].filter((x, i, xs) => xs.indexOf(x) === i && !drill.has(x));
  const where = cell(listOf(isolated));
  const simulate = codeSpan(shellLine(["quorate", "simulate", "--lose", isolated.join(","), displayPath(o.source)]));
  // the loss's verdict leaves its failover window out: said after it, in simulate's words (engine judgedOnce) —
  // a sentence of its own, not a parenthesis around a window that has brackets of its own
  const once = judgedOnce(loss);
  const lossVerdict = `predicts **${loss.verdict}** for a real loss${once ? `, ${prose(once)}` : ""}`;
  const drillVerdict = once
    ? `. This drill predicts **${r.prediction.verdict}**`
    : `, where this drill predicts **${r.prediction.verdict}**`;
  const verdicts =
    loss.verdict === r.prediction.verdict && (r.after?.verdict ?? loss.verdict) === loss.verdict
      ? `${lossVerdict}${once ? `. This drill predicts **${loss.verdict}** too` : ", as this drill does"}`
      : `${lossVerdict}${drillVerdict}${r.after && r.after.verdict !== r.prediction.verdict ? ` (**${r.after.verdict}** after the withdrawal)` : ""}. The verdicts are not a ranking: the loss's is judged once steering has withdrawn the site (${once ? "the window above" : "its failover window is a note below"}), the drill's counts the errors a site that is alive but cut off answers with — for clients a real loss is no milder`;
  out.push(
    "## What a real loss adds (not enacted)",
    "",
    `This drill cuts ${where} off; ${isolated.length === 1 ? "its" : "their"} machines keep running and answer the clients steering still sends there. ${simulate} ${verdicts}.${
      adds.length
        ? " These predictions of the loss are not enacted here, so a pass does not prove them:"
        : " Every prediction of the loss is among this drill's."
    }`,
    "",
    // engine sentences: their backticked code stays code in the raw file (prose), never an HTML entity (review M127)
    ...adds.map((x) => `- ${prose(x)}`),
    ...(adds.length
      ? [
          "",
          `To enact them, stop ${where}'s machines — power off ${isolated.length === 1 ? "its" : "their"} nodes, or stop the kubelets, etcd and the stores' processes there — which this tool does not do: Chaos Mesh and Litmus cut the network only.`,
        ]
      : []),
    "",
  );
}

/** A drill predicted to take something down says so first, with what it spends: written only because --accept-down was given. */
function goNoGo(r: RunbookInput): string[] {
  return [...pastBound(r), ...downNoGo(r)];
}

/** A derived run raised past a lag bound (review M72): the RPO it gives up, said before anything else. */
function pastBound(r: RunbookInput): string[] {
  if (!r.duration.floored) return [];
  const over = r.lag.filter((l) => l.maxLagSeconds !== undefined && r.duration.seconds > l.maxLagSeconds);
  if (!over.length) return [];
  return [
    `**Go/no-go: this drill runs past ${cell(listOf(over.map((l) => `the RPO of ${l.store} (maxLagSeconds ${sec(l.maxLagSeconds!)})`)))}** — its lag reaches about ${sec(r.duration.seconds)}, since the shortest run that enacts this runbook is ${cell(r.duration.text)} (Duration, below): the writes of the last ${sec(r.duration.seconds)} are at risk if a side is lost meanwhile. The owners accept that before the run.`,
    "",
  ];
}

function downNoGo(r: RunbookInput): string[] {
  const down = r.prediction.verdict === "down" || r.after?.verdict === "down";
  if (!down) return [];
  // down only after the withdrawal: its reasons are the after state's, not the window's (whose
  // backends are withdrawn by then, M68)
  const { afterOnly, breaks, cut, uncut, enactsDown } = downReasons(r);
  const spends = r.spends.length
    ? `It spends ${r.spends.map((b) => cell(spendText(b))).join("; ")}.`
    : "No objectives.availability is declared for what it takes down: the budget it spends is not known.";
  const written = "Written because --accept-down was given: the owners accept that outage before the run, and abort on the criteria below.";
  if (!uncut.length)
    return [
      `**Go/no-go: this drill is predicted to take the design down**${afterOnly ? " after the withdrawal" : ""} — ${breaks.map((b) => prose(b)).join("; ")}. ${spends} ${written}`,
      "",
    ];
  const notHere = `${uncut.map((b) => prose(b)).join("; ")}`;
  if (enactsDown)
    return [
      `**Go/no-go: this drill is predicted to take the design down**${afterOnly ? " after the withdrawal" : ""} — ${cut.map((b) => prose(b)).join("; ")}. The engine also predicts ${notHere} — not cut here (Not enacted, below): not part of this run. ${spends} ${written}`,
      "",
    ];
  return [
    `**Go/no-go: the engine predicts this cut takes the design down, but the steps enact none of what takes it down** — ${notHere}: not cut here (Not enacted, below). ${
      cut.length ? `What this drill does enact is degraded, not down: ${cut.map((b) => prose(b)).join("; ")}. ` : ""
    }--accept-down is still asked: the verdict is the engine's for this cut as designed, and the design does not declare the hosts that would make those reasons part of the run — where they run on hosts the rules do drop, the outage is real. ${spends} ${written}`,
    "",
  ];
}

/** What a down-verdict drill's reasons are, as the go/no-go and the --accept-down refusal both say them. */
export type DownInput = Pick<
  RunbookInput,
  "prediction" | "after" | "unenactedQuorums" | "uncutStores" | "ctx" | "lag" | "unenactedEntries"
>;

/**
 * The reasons a drill is predicted down, split by what its steps enact (review M127; style f: the
 * --accept-down refusal says it as the runbook's go/no-go does). Down only after the withdrawal: the
 * reasons are the after state's, not the window's (whose backends are withdrawn by then, M68).
 * `enactsDown`: some enacted reason is itself one of what takes the design down.
 */
export function downReasons(r: DownInput) {
  const afterOnly = r.after !== undefined && r.prediction.verdict !== "down";
  const breaks = [...(afterOnly ? [] : r.prediction.breaks), ...(r.after?.breaks ?? [])].filter((x, i, xs) => xs.indexOf(x) === i);
  // review M127: a reason the steps do not cut (Not enacted) is not what this drill does — said apart
  const uncut = breaks.filter((b) => notEnactedBreak(r, b));
  const cut = breaks.filter((b) => !uncut.includes(b));
  const downs = downSubjects([...(afterOnly ? [] : [r.prediction]), ...(r.after ? [r.after] : [])]);
  return { afterOnly, breaks, cut, uncut, enactsDown: cut.some((b) => downs.has(subjectOf(b))) };
}

/** "etcd of cluster fra-prod": what an engine sentence is about (its text before the first ": "). */
const subjectOf = (b: string) => b.slice(0, Math.max(0, b.indexOf(": ")));

/** What takes a result down (engine verdictOf): a stopped quorum, a store whose writes stop or that corrupts, an entry served by nobody. */
function downSubjects(rs: readonly Result[]): Set<string> {
  return new Set(
    rs.flatMap((x) => [
      ...x.quorums.filter((q) => q.outcome === "stops").map((q) => q.name),
      ...x.stores.filter((y) => y.outcome === "writes-stop" || y.outcome === "corrupts").map((y) => `store ${y.name}`),
      ...x.traffic
        .filter((y) => y.outcome === "unserved" || (y.outcome === "errors" && y.backends.every((b) => b.loadRps === null || b.errors)))
        .map((y) => `traffic ${y.name}`),
    ]),
  );
}

/**
 * An engine sentence about something the steps do not cut (review M127): a quorum or store listed
 * under Not enacted, or the errors of an entry none of whose errors is enacted (they come only from
 * such stores: gameday enactedView, the one home of that, w85). Its overload after a withdrawal step
 * stays enacted: the step moves the load.
 */
function notEnactedBreak(r: DownInput, b: string): boolean {
  const out = new Set([...r.unenactedQuorums, ...r.uncutStores.map((x) => `store ${x}`)]);
  const subject = subjectOf(b);
  if (out.has(subject)) return true;
  const entry = /^traffic (.+)$/.exec(subject)?.[1];
  return entry !== undefined && r.unenactedEntries.includes(entry) && /of errors|serves errors/.test(b);
}

/** How long, and what the cut starts meanwhile: each crossing store's lag grows 1 s per second; a dead-store timer runs. */
function durationText(r: RunbookInput): string[] {
  const d = r.duration;
  const limits = boundsOf(r);
  const lines = [
    ...r.lag.map((l) => `- ${lagSentence(l)}`),
    ...r.timers.map((x) => `- ${timerSentence(x)}`),
    ...r.evictions.map((x) => `- ${evictionSentence(x)}`),
  ];
  if (!lines.length)
    return [
      `Duration: ${cell(d.text)}${d.derived ? ` (no store's replication ${r.uncutStores.length ? `that the steps cut (${cell(listOf(r.uncutStores))}: Not enacted) ` : ""}crosses the cut and no timer runs against it: the default)` : ""}.`,
    ];
  if (!limits.length)
    return [
      `Duration: ${cell(d.text)}. No store whose replication crosses the cut declares maxLagSeconds or its lag buffer: how long the run can last before a replica must be resynced is unknown.`,
      "",
      ...lines,
    ];
  const first = limits[0].bound;
  const firsts = listOf(limits.filter((x) => x.bound === first).map((x) => x.name));
  const outlasted = limits.filter((x) => d.seconds >= x.bound);
  const head = d.floored
    ? `Duration: ${cell(d.text)}, the shortest run that enacts this runbook (the host rules on every host, \`probe.sh during\`, the write checks and the withdrawal take about ${sec(d.seconds)})${
        outlasted.length
          ? `, so it **outlasts ${cell(listOf(outlasted.map((x) => `${x.name} (${sec(x.bound)})`)))}**: ${outlasted
              .map((x) => x.past)
              .filter((x, i, xs) => xs.indexOf(x) === i)
              .join(" ")}`
          : `: it ends ${sec(first - d.seconds)} before the first bound (${sec(first)}: ${cell(firsts)}), less than the usual margin.`
      } A shorter run would end before its own rules are loaded and its checks read.`
    : d.derived
      ? `Duration: ${cell(d.text)}, derived from the design: the run ends ${sec(first - d.seconds)} before the first bound (${sec(first)}: ${cell(firsts)}) of what the cut runs against, below. Pass --duration to choose another.`
      : outlasted.length
        ? `Duration: ${cell(d.text)} (--duration) **outlasts ${cell(listOf(outlasted.map((x) => `${x.name} (${sec(x.bound)})`)))}**: ${outlasted
            .map((x) => x.past)
            .filter((x, i, xs) => xs.indexOf(x) === i)
            .join(" ")} Or run at most ${goDuration(safeSeconds(first))}.`
        : `Duration: ${cell(d.text)} (--duration): the run ends ${sec(first - d.seconds)} before the first bound (${sec(first)}: ${cell(firsts)}) of what the cut runs against, below.`;
  return [head, "", ...lines];
}

/** "a, b and c" */
const listOf = (xs: readonly string[], and = "and") =>
  xs.length < 2 ? xs.join("") : `${xs.slice(0, -1).join(", ")} ${and} ${xs[xs.length - 1]}`;

/** Every bound the cut runs against, earliest first: lag bounds and dead-store timers, each with what happens past it. */
function boundsOf(r: RunbookInput): { name: string; bound: number; past: string }[] {
  const out: { name: string; bound: number; past: string }[] = [];
  for (const l of r.lag)
    if (l.bound !== undefined)
      out.push({
        name: `the lag bound of ${l.store}`,
        bound: l.bound,
        past: `nothing replicates across the cut, so the lag of ${l.store} grows 1 s per second of it: past maxLagSeconds the design's RPO no longer holds; ${
          l.bufferSeconds !== undefined && r.duration.seconds < l.bufferSeconds
            ? `its lag buffer holds ${sec(l.bufferSeconds)}, longer than the run: no resync.`
            : `past the lag buffer ${resyncText(r, l.store)}. Plan that resync.`
        }`,
      });
  for (const x of r.timers)
    out.push({
      name: `the dead-store timer of ${x.subject.replace(/^store /, "")}`,
      bound: x.bound,
      past: `The members of ${x.subject} at ${listOf(x.cutOff)} would be declared dead at ${sec(x.bound)} (${x.timer.engine}'s ${x.timer.setting})${spareNodes(x) ? " and their data re-replicated during the drill" : " during the drill (with no spare node to re-replicate onto, their ranges stay under-replicated)"}: raise the setting for the run (Pre-flight) and restore it after (Post-heal).`,
    });
  for (const x of r.evictions)
    out.push({
      name: `the pod eviction of ${x.cluster} at ${x.site}`,
      bound: x.bound,
      past: `${x.ifStacked ? `${capital(evictsIfStacked(x.cluster, x.controlPlaneAt))}, from` : "From"} about ${sec(x.bound)} ${x.cluster}'s control plane at ${listOf(x.controlPlaneAt)} evicts the pods at ${x.site}, and when the cut heals their kubelets stop them all at once — a restart of ${x.cluster}'s workloads at ${x.site} just as it returns (predicted under Checks and Customer impact, counted in Post-heal); a pod rides it out only with its own tolerationSeconds for node.kubernetes.io/unreachable above the run.${x.ifStacked ? ` ${capital(HOSTED_EVICTS_NOTHING)}.` : ""}`,
    });
  return out.sort((a, b) => a.bound - b.bound);
}

/** "If …": a clause of the engine's words opening a sentence. */
const capital = (x: string) => `${x.charAt(0).toUpperCase()}${x.slice(1)}`;

/** "cluster fra-prod: its control plane keeps running at lon and ams …": the engine's eviction, in the run's terms. */
function evictionSentence(x: EvictionPlan): string {
  return `cluster ${cell(x.cluster)}: its control plane keeps running at ${cell(listOf(x.controlPlaneAt))} (API servers and controllers with its etcd majority) but no longer hears the nodes at ${cell(x.site)}: after about ${sec(NODE_MONITOR_GRACE_SECONDS)} (node-monitor-grace-period; 50 s from Kubernetes 1.32) they are NotReady, and after the default ${sec(UNREACHABLE_TOLERATION_SECONDS)} unreachable toleration — ${sec(x.bound)} into the cut, sooner for a pod with a shorter toleration of its own — ${x.ifStacked ? `${evictsIfStacked(cell(x.cluster), x.controlPlaneAt.map(cell))}, ` : ""}their pods are evicted (${ZONE_LABEL_CONDITION})${x.ifStacked ? `; ${HOSTED_EVICTS_NOTHING}` : ""}. The pods at ${cell(x.site)} keep serving while the cut lasts (their kubelets cannot see the deletions); when it heals, the kubelets stop every evicted pod at once.`;
}

/** What a store that fell out of its peer's stream needs, by what its engine is. */
function resyncText(r: RunbookInput, store: string): string {
  const st = r.ctx.topology.storeByName.get(store);
  const engine = st?.engine?.value;
  const writers = st?.writers?.items.length ?? 0;
  if (singlePrimaryEngine(engine) === "PostgreSQL" && writers <= 1)
    return "the standby falls out of the stream and must be re-cloned after the heal (pg_basebackup, or pg_rewind) — or, with a replication slot, the primary keeps its WAL and its disk fills";
  if (writers > 1)
    return `each writer drops the other's stream and one of them must be rebuilt from the other after the heal, the writes only it took reconciled first${/bdr|pgd|postgres[- ]?distributed/i.test(engine ?? "") ? " (EDB Postgres Distributed: part the node and join it again)" : ""}`;
  return "the replica falls out of the stream and must be resynced after the heal";
}

/** "store ledger (CockroachDB): its members at ams are cut off …": what the timer does if the run reaches it. */
function timerSentence(x: TimerPlan): string {
  return `${cell(x.subject)} (${x.timer.engine}): its members at ${cell(listOf(x.cutOff))} are cut off from the majority at ${cell(listOf(x.majority))}; unreachable for ${x.timer.setting} (${sec(x.bound)} by default), they are declared dead${
    spareNodes(x)
      ? ` and their data re-replicated onto ${cell(listOf(x.majority))} — or, where the zone config pins voters to ${cell(listOf(x.cutOff))}, left under-replicated. Either way the placement (${cell(x.layout)}) changes until the allocator moves it back after the heal, and a range with a majority of its voters at one site does not survive that site's loss.`
      : `. ${noSpareText(x)}`
  }`;
}

/** Whether the majority side has a node that holds no replica of a range: re-replication needs one (a replica per node). */
const spareNodes = (x: TimerPlan) => x.nodesAtMajority > x.voters;

/** Re-replication with exactly the replica count's nodes: nothing to move to, so nothing is added (review). */
function noSpareText(x: TimerPlan): string {
  return `The design declares ${x.voters} nodes for it, one per voter (${cell(x.layout)}): the ${x.nodesAtMajority} at ${cell(listOf(x.majority))} each already hold a replica of every range, so there is no spare node to re-replicate onto — the ranges stay under-replicated (${x.nodesAtMajority} of ${x.voters} replicas) until ${cell(listOf(x.cutOff))} returns, no replica is added, and the placement is unchanged (only nodes beyond those the design declares, at ${cell(listOf(x.majority, "or"))}, would take the replicas).`;
}

/** "carts: maxLagSeconds 300 s; lag buffer 1 GiB at 1,500 writes/s × 2,048 B = 3,072,000 B/s holds 349.5 s" */
function lagSentence(l: LagPlan): string {
  const parts: string[] = [];
  if (l.maxLagSeconds !== undefined) parts.push(`maxLagSeconds ${sec(l.maxLagSeconds)} (the design's bound, and its RPO)`);
  if (l.bufferSeconds !== undefined && l.bufferBytes !== undefined && l.rate !== undefined && l.size !== undefined)
    parts.push(
      `lag buffer ${bytes(l.bufferBytes)} at ${int(l.rate)} writes/s × ${int(l.size)} B = ${int(l.rate * l.size)} B/s holds ${sec(l.bufferSeconds)} from empty — the lag at the cut is already in it (Baseline lag, Pre-flight)`,
    );
  else parts.push("lag buffer not declared (lagBufferBytes, writeRatePerSecond, writeBytes)");
  return `store ${cell(l.store)} (${cell(l.between)}): nothing replicates across the cut, so its lag grows 1 s per second of it — ${parts.join("; ")}`;
}

/**
 * The plan counts the cut from a caught-up replica (w85, item 6): lag 0, the lag buffer empty. The lag
 * already there when the cut begins is unreplicated too — in the buffer, and counted by maxLagSeconds —
 * so both bounds come that much sooner than the duration and the dead-man assume. The baseline is
 * measured in Pre-flight, so it is a go/no-go there: at most the slack between the dead-man and the
 * store's first bound (the abort line, in measured lag, already counts it).
 */
function baselineSlack(r: RunbookInput, store: string): string {
  const l = r.lag.find((x) => x.store === store);
  if (l?.bound === undefined) return "";
  const which = l.bufferSeconds !== undefined && l.bufferSeconds <= (l.maxLagSeconds ?? Infinity) ? "the lag buffer" : "maxLagSeconds";
  const assumed = ` The duration and the dead-man count the cut from caught-up replication (lag 0, an empty lag buffer): the lag there now is already unreplicated, so ${which} (${sec(l.bound)}) is reached that much sooner.`;
  const slack = l.bound - r.deadman;
  if (slack <= 0 || r.duration.seconds >= l.bound) return `${assumed} This run is planned past it already (Duration).`;
  return `${assumed} **Above ${sec(slack)}** (the slack between the dead-man, ${sec(r.deadman)} into the cut, and that bound), do not start: wait for it to drain — the run and its dead-man would outlast that bound.`;
}

/** The longest run that stays clear of a bound by the abort margin and a fifth, in whole 30 s under 5 minutes and more. */
export function safeSeconds(bound: number): number {
  const s = Math.min(bound - ABORT_MARGIN_SECONDS, bound * 0.8);
  return s >= 150 ? Math.floor(s / 30) * 30 : Math.max(1, Math.floor(s));
}

function whatIsCut({ r, out }: Rb): void {
  out.push("## What is cut", "", ...r.sides.map((side, i) => `- Side ${i + 1}: ${side.map(cell).join(", ")}`), "");
  if (r.plans.length)
    out.push(
      table(
        ["cluster", "site", "namespaces (through the chaos tool)", "cut from (every declared range on the other side)"],
        r.plans.map((y) => [
          y.cluster,
          y.site,
          y.namespaces.join(", "),
          `${y.targets.join(", ")}${y.ipv6 ? ` — not its IPv6 ranges ${y.ipv6.join(", ")} (below)` : ""}`,
        ]),
      ),
      "",
      ...ipv6Text(r),
    );
  if (r.hostPlans.length)
    out.push(
      "At the host (nftables, or iptables where nft is not installed), for what chaos tools must not touch — host-network pods (etcd static pods, Cilium agents, clustermesh-apiserver, Submariner and mesh gateways) and hosts outside clusters. The rules go on both sides of the cut: one side's drop alone cuts the traffic between two declared hosts, but where a host's netfilter is bypassed (below) or its rules did not load, the other side's rules still hold the cut. A cluster's row covers its nodes at its own site only; its members elsewhere (a stretched etcd) are the hosts of their site's row, or Not enacted.",
      "",
      table(
        ["hosts", "site", "apply on", "drops both ways", "files"],
        r.hostPlans.map((h) => [h.what, h.site, h.hosts.join(", "), h.targets.join(", "), hostFiles(h).join(", ")]),
      ),
      "",
      "The nftables chains run at priority 0, after kube-proxy's DNAT, as the iptables files' filter chains do: a connection to a ClusterIP is kept or dropped by the pod it is translated to.",
      "",
      ...nodesAmongText(r),
      `**Cilium with eBPF host routing** (\`bpf.hostLegacyRouting: false\`) sends pod traffic past the host's netfilter hooks: there the host rules cut host-network traffic only. Cut pod traffic with the NetworkChaos above, or with a \`netdev\` ingress hook on the uplink, or at the upstream switch/firewall ACLs.`,
      "",
    );
  const notEnacted = [...r.notes, ...r.notEnacted];
  if (notEnacted.length) out.push("### Not enacted", "", ...notEnacted.map((n) => `- ${cell(n)}`), "");
}

/** Each host plan's clusters from across the cut whose nodes are among its hosts (review M131), with the plan. */
const nodesAmongOf = (r: RunbookInput) => r.hostPlans.flatMap((h) => (h.nodesOf ?? []).map((n) => ({ h, n })));

/** The placeholders of a cluster's pod CIDRs on those hosts: "@FRA_PROD_PODS4@". */
const placeholders = (n: NodesAmong) => [n.placeholder4, n.placeholder6].filter((x): x is string => !!x);

/** Hosts that are nodes of a cluster across the cut keep its pods there and judge its ClusterIPs by their backend (review M131). */
function nodesAmongText(r: RunbookInput): string[] {
  return nodesAmongOf(r).flatMap(({ h, n }) => {
    const home = r.ctx.siteOfCluster(n.cluster) ?? "?";
    return [
      `**${cell(n.cluster)}'s control-plane nodes at ${cell(h.site)} are among the ${cell(h.what)}**, nodes of ${cell(n.cluster)} like any other: a WAN cut leaves a node its own pods and its neighbours' at ${cell(h.site)}, and a ClusterIP whose pod is there. So their rules drop ${cell(n.cluster)}'s pod range ${cell(n.pods.join(", "))} except the pod CIDRs of its nodes at ${cell(h.site)} (${placeholders(
        n,
      )
        .map((x) => codeSpan(x))
        .join(
          " and ",
        )} in the files, filled in at Pre-flight)${n.services.length ? `, and not its service range ${cell(n.services.join(", "))}: a connection to a ClusterIP is dropped when its pod is at ${cell(home)} and kept when it is at ${cell(h.site)} (kube-proxy's iptables mode translates before these chains, its IPVS mode sends the translated packet through OUTPUT again, Cilium's socket-LB translates at connect())` : ""}.`,
      "",
    ];
  });
}

/** Pre-flight: the pod CIDRs of a cross-cut cluster's nodes among a host plan's hosts, written into its files (review M131). */
function nodesAmongPreflight(r: RunbookInput): string[] {
  return nodesAmongOf(r).map(({ h, n }) => {
    const home = r.ctx.siteOfCluster(n.cluster) ?? "?";
    const cilium = r.ctx.topology.clusterByName.get(n.cluster)?.mesh === "clustermesh";
    const list = cilium
      ? kubectlLine(n.cluster, [
          "get",
          "ciliumnodes",
          "-o",
          'custom-columns=NAME:.metadata.name,INTERNAL-IP:.spec.addresses[?(@.type=="InternalIP")].ip,PODCIDRS:.spec.ipam.podCIDRs',
        ])
      : kubectlLine(n.cluster, [
          "get",
          "nodes",
          "-o",
          'custom-columns=NAME:.metadata.name,INTERNAL-IP:.status.addresses[?(@.type=="InternalIP")].address,PODCIDRS:.spec.podCIDRs',
        ]);
    const fill = [
      ...(n.placeholder4 ? [{ v: "PODS4", p: n.placeholder4, files: [h.file, ...(h.iptables ? [h.iptables] : [])] }] : []),
      ...(n.placeholder6 ? [{ v: "PODS6", p: n.placeholder6, files: [h.file, ...(h.ip6tables ? [h.ip6tables] : [])] }] : []),
    ].map((x) =>
      codeSpan(
        `${x.v}=PASTE_THEM; for f in ${x.files.map(shellWord).join(" ")}; do sed "s|${x.p}|$${x.v}|" "$f" > "$f.new" && mv "$f.new" "$f"; done`,
      ),
    );
    const plan = r.plans.find((y) => y.cluster === n.cluster);
    return `- [ ] Pod CIDRs of ${cell(n.cluster)}'s nodes at ${cell(h.site)} (What is cut): nft and iptables-restore refuse ${cell(hostFiles(h).join(", "))} until they are filled in. List each node's INTERNAL-IP and pod CIDRs — ${codeSpan(list)}${cilium ? " (Cilium's cluster-pool IPAM; with Kubernetes IPAM, the nodes' `.spec.podCIDRs`)" : " (or your CNI's per-node blocks)"} — and write in those of the nodes in ${cell(h.hosts.join(", "))}, comma-separated: ${fill.join("; ")}.${
      plan
        ? ` No pod of ${cell(n.cluster)} in ${cell(plan.namespaces.join(", "))} may run on those nodes (${codeSpan(kubectlLine(n.cluster, ["get", "pods", "-A", "-o", "wide", "--field-selector", "spec.nodeName=NODE"]))} for each): its NetworkChaos would cut it as ${cell(home)}'s — from ${cell(h.site)}, its own node included. Move it first.`
        : ""
    }`;
  });
}

/** The other sides' IPv6 ranges the Chaos Mesh manifests leave out (ClusterPlan.ipv6), each once. */
const uncutIpv6 = (r: RunbookInput): string[] => [...new Set(r.plans.flatMap((y) => y.ipv6 ?? []))];

/** Chaos Mesh cuts IPv4 only (review M71): what is left open, what cuts it instead, how to prove it. */
function ipv6Text(r: RunbookInput): string[] {
  const v6 = uncutIpv6(r);
  if (!v6.length) return [];
  const hosts = r.hostPlans.some((h) => h.targets.some((x) => x.includes(":")));
  return [
    `**IPv6 is not cut by Chaos Mesh.** NetworkChaos cuts IPv4 only: chaos-daemon puts the targets in IPv4 ipsets, and an IPv6 target fails the whole injection of a pod, its IPv4 cut included (chaos-mesh#3466; dual-stack support is not released). So the manifests list only the IPv4 ranges, and the selected pods' IPv6 flows across the cut (to ${v6.join(", ")}) stay open through the chaos tool — a store or mesh that prefers IPv6 keeps talking across the cut. ${
      hosts
        ? "The host rules drop them (their IPv6 set, or the ip6tables file) where pod traffic passes the host's netfilter — not under Cilium's eBPF host routing: there"
        : "Nothing in this run drops them (no host rules carry IPv6 ranges):"
    } cut them with a \`netdev\` hook on the uplink or at the upstream ACLs for the run, and prove it (Prove the cut).`,
    "",
  ];
}

function preflight(rb: Rb): void {
  const { r, o, t, out } = rb;
  const owners = t.stores.filter((st) => st.owner).map((st) => `${st.name?.value}: ${st.owner!.value}`);
  out.push(
    "## Pre-flight",
    "",
    `- [ ] Approvals: the change is scheduled and approved; the owners are on the bridge${owners.length ? ` — ${owners.map(cell).join("; ")}` : " (no stores[].owner is declared: name them before you start)"}.`,
    ...(r.spends.length
      ? r.spends.map(
          (b) =>
            `- [ ] Error budget of ${cell(spendText(b))}: its owners accept spending that, and what is left of the year's budget covers it.`,
        )
      : [
          r.prediction.traffic.some((tr) => r.ctx.topology.traffic.some((x) => x.name?.value === tr.name && x.objectives?.availability))
            ? "- [ ] Error budget: the run is predicted to spend none of a declared availability budget (no request fails) — confirm the slower paths under Customer impact with the owners."
            : "- [ ] Error budget: no objectives.availability is declared for what the run affects — agree with the owners how much of the predicted errors (Customer impact) they accept.",
        ]),
    ...r.prediction.traffic.map(
      (tr) =>
        `- [ ] Baseline of ${cell(tr.name)}: its error rate (rps of 5xx and timeouts) and p99 latency now, per backend, from the external monitor or the GSLB/edge logs — not in-cluster probes. The abort criteria are relative to these.`,
    ),
    // only where it decides something: an etcd the steps cut, with members on more than one side (review M99)
    ...t.clusters
      .filter((c) => c.etcd?.members && c.name && splitByCut(rb, `etcd of cluster ${c.name.value}`))
      .map(
        (c) =>
          `- [ ] Leader location: on a control-plane host of ${cell(c.name!.value)} that runs a member, ${etcdLeaderRead(etcdctl, KUBEADM_CERTS)} — note which site leads, and which host runs a member on each side (the write checks below run there).${moveNote(rb, `etcd of cluster ${c.name!.value}`)}`,
      ),
    ...consensusStores(t).map(
      (st) =>
        `- [ ] Leaders of ${cell(st.name!.value)}: ${leaderCommand(st)} — ${singleLeader(st) ? `note the site of its ${singleLeader(st)}: whether every write stalls in the cut depends on it` : `note where the ${consensusWords(st.engine?.value).leaders} are per site${isTidb(st.engine?.value) ? ", and PD's leader" : ""}: which side errors in a cut depends on them`}.${moveNote(rb, `store ${st.name!.value}`)}`,
    ),
    ...consensusStores(t).flatMap((st) => probeTablePreflight(st) ?? []),
    ...timerPreflight(rb),
    ...evictionPreflight(rb),
    ...t.stores
      .filter((st) => st.replication?.value === "async" && st.name && !r.uncutStores.includes(st.name.value))
      .map(
        (st) =>
          `- [ ] Baseline lag of ${cell(st.name!.value)}: note the replication lag now (bound: ${st.maxLagSeconds ? `${st.maxLagSeconds.value} s` : "not declared"}).${baselineSlack(r, st.name!.value)}`,
      ),
    ...r.hostPlans
      .filter((h) => h.cluster)
      .map(
        (h) =>
          `- [ ] Hosts of ${cell(h.cluster!)}: ${codeSpan(`${kubectlLine(h.cluster!, ["get", "nodes", "-o", "wide"])} > ${shellWord(nodesFile(h.cluster!))}`)} — the hosts the rules go on (INTERNAL-IP), kept for the roll-back when the API may not answer.`,
      ),
    toolPreflight(o, r),
    ...nodesAmongPreflight(r),
    ...(r.hostPlans.length
      ? [
          `- [ ] On every host in the host table, \`nft\` (or \`iptables-restore\`) is installed, and you reach the host over a management range${o.managementRanges?.length ? ` (${o.managementRanges.join(", ")}, exempt from the drop)` : " — **none was given (--management-cidr): if your own path crosses the cut, you lose the host until the dead-man timer fires**"}.`,
        ]
      : []),
    ...probePreflight(r),
    "- [ ] Agree on the abort signal and who runs the roll-back.",
    "",
  );
}

/** An enacted quorum whose members the cut leaves on more than one side: where its leader sits decides the run's first seconds. */
function splitByCut({ r, p }: Rb, label: string): boolean {
  const q = p.quorums.find((x) => x.name === label);
  return !!q && r.enactedQuorums.has(label) && !oneSide(q) && q.groups.some((y) => y.members > 0);
}

function toolPreflight(o: GameDayOptions, r: RunbookInput): string {
  return o.tool === "chaos-mesh"
    ? `- [ ] Chaos Mesh runs in every cluster below (controller and chaos-daemon); \`action: partition\` with \`externalTargets\` cuts the selected pods' traffic to those ranges (iptables and ipsets inside each pod's network namespace).${
        uncutIpv6(r).length
          ? " IPv4 only: the IPv6 cut is yours to put in place before the run — the host rules where pod traffic passes the host's netfilter, else a `netdev` hook on the uplink or the upstream ACLs (What is cut)."
          : ""
      }`
    : "- [ ] Litmus runs in every cluster below, with the `pod-network-partition` experiment and its `pod-network-partition-sa` service account in each namespace. **It works through NetworkPolicy: the CNI must enforce it** (Calico, Antrea…), or nothing is cut and every check passes for the wrong reason. NetworkPolicies only add allows: list the policies already in these namespaces (`kubectl get networkpolicy -n NS`) — one that allows these ranges defeats the cut. The policy's `0.0.0.0/0` covers IPv4 only: all IPv6 traffic of the selected pods is denied.";
}

function probePreflight(r: RunbookInput): string[] {
  if (!r.probe.probes.length) return [];
  const pods = probePods(r.probe);
  const clusters = [...new Set(pods.map((x) => x.cluster))];
  const hosts = [...new Set(r.probe.probes.flatMap((q) => (q.from.kind === "host" ? [q.from.what] : [])))];
  return [
    ...(clusters.length
      ? [
          `- [ ] Probe pods (image \`${PROBE_IMAGE}\`, its \`nc\`: the clusters must pull it — air-gapped, mirror it into your registry and change \`image:\` in each probe.yaml): apply them and wait until they run — ${clusters
            .map((c) =>
              codeSpan(
                [
                  kubectlLine(c, ["apply", "-f", probeFile(c)]),
                  ...pods
                    .filter((x) => x.cluster === c)
                    .map((x) => kubectlLine(c, ["-n", x.namespace, "wait", "--for=condition=Ready", `pod/${PROBE_POD}`, "--timeout=120s"])),
                ].join(" && "),
              ),
            )
            .join("; ")}.`,
        ]
      : []),
    ...(hosts.length
      ? [
          `- [ ] ssh from your workstation (over the management network) to ${hosts.map(cell).join("; ")}, with \`bash\` and \`timeout\` there: probe.sh tests the host-network flows from those hosts (set \`SSH\`, e.g. \`SSH="ssh -J bastion -l ops" sh probe.sh before\`, for a jump host or user).`,
        ]
      : []),
    `- [ ] ${codeSpan("sh probe.sh before")}: every probe must print \`ok\` (open) — it also records the nodes', pods' and hosts' addresses the probes use during the cut. A probe that does not connect now proves nothing later: fix the firewall or the plan first (the probes use only flows the port matrix allows: an API server or peer to etcd, a store member to another).`,
  ];
}

/** The host command that arms the dead-man for what is left until DEADLINE, and loads the rules only if it armed. */
function armAndLoad(rollback: readonly string[], load: string): string[] {
  return [
    "   DEADLINE=PASTE_FROM_STEP_1",
    `   left=$(( DEADLINE - $(date +%s) )); [ "$left" -gt 0 ] && ${shellLine(["systemd-run", "--unit=quorate-gameday-rollback"])} --on-active="\${left}s" ${shellLine(rollback)} && ${load}`,
  ];
}

function steps(rb: Rb): void {
  const { r, out, deadman } = rb;
  out.push(
    "## Steps",
    "",
    ...(r.hostPlans.length
      ? [
          "Apply the chaos manifests first and the host rules last (the cut can take down the isolated cluster's own API server: its etcd majority may sit on the other side).",
          "",
        ]
      : []),
  );
  let n = 1;
  if (!r.hostPlans.length)
    out.push(
      `${n++}. Start the clock: the run lasts ${cell(r.duration.text)}, and the chaos experiments end by themselves then (no host table is written here: nothing else to arm or undo by a deadline).`,
      "",
    );
  else
    out.push(
      `${n++}. Start the clock and fix the dead-man deadline, ${deadman} s from now${deadmanWhy(rb)}: ${codeSpan(`DEADLINE=$(( $(date +%s) + ${deadman} )); echo "$DEADLINE"`)} — note the number: every host's timer fires at that same moment (clocks synchronised by NTP), however long the host steps take.`,
      "",
    );
  if (r.plans.length)
    out.push(
      `${n++}. Apply the chaos manifests:`,
      "",
      table(
        ["cluster", "apply"],
        r.plans.map((y) => [y.cluster, { raw: codeSpan(kubectl(y.cluster, "apply", y.file), true) }]),
      ),
      "",
    );
  if (r.plans.length) n = steeringStep(rb, n);
  for (const h of r.hostPlans)
    out.push(
      `${n++}. On every host of ${cell(h.what)} (${cell(h.hosts.join(", "))}${h.cluster ? `: the INTERNAL-IP column of ${codeSpan(nodesFile(h.cluster))}` : ""}): copy ${cell(hostFiles(h).join(" or "))} there, set DEADLINE to the number from step 1, then arm the dead-man roll-back and load the rules in one line (nothing loads once the deadline has passed) — with nftables:`,
      "",
      "   ```sh",
      ...armAndLoad(["nft", "delete", "table", "inet", NFT_TABLE], shellLine(["nft", "-f", h.file])),
      "   ```",
      "",
      "   or, on a host with iptables only:",
      "",
      "   ```sh",
      ...armAndLoad(
        ["sh", "-c", IPTABLES_ROLLBACK],
        [
          ...(h.iptables ? [`iptables-restore --noflush < ${shellWord(h.iptables)}`] : []),
          ...(h.ip6tables ? [`ip6tables-restore --noflush < ${shellWord(h.ip6tables)}`] : []),
        ].join(" && "),
      ),
      "   ```",
      "",
    );
  if (!r.plans.length) n = steeringStep(rb, n);
  if (r.probe.probes.length)
    out.push(`${n++}. Prove the cut (next section): ${codeSpan("sh probe.sh during")} (about ${probeSeconds(r.probe).seconds} s).`, "");
}

/** The traffic entries with a backend in the isolated sites: what the run withdraws from steering. */
function steeredEntries({ r, t, isolated }: Rb) {
  return isolated.length
    ? t.traffic.filter((tr) => tr.name && tr.backends.some((b) => isolated.includes(r.ctx.siteOfCluster(b.cluster?.value ?? "") ?? "")))
    : [];
}

/**
 * The backends of an entry a deep health check fails outside the isolated sites, where the engine's
 * "after" withdraws those and not the isolated side (engine deepWithdrawn and deepCheckFailsElsewhere,
 * review M116: carts' only writer is at fra — in the cut fra-prod writes, lon-prod errs); empty in
 * the usual case. The engine's rule, not a second one: the runbook predicts what simulate does.
 */
function deepOthers(rb: Rb, name: string): string[] {
  const w = rb.r.withdrawn;
  if (!w || (w.length === rb.isolated.length && w.every((x) => rb.isolated.includes(x)))) return [];
  return deepCheckFailsElsewhere(rb.p, name, rb.isolated).map((b) => b.cluster);
}

/**
 * The sites the withdrawal section is about: in an isolation, those a deep health check withdraws
 * (the engine's "after": the other side where the isolated one writes fine — review M116; a
 * heading "Withdraw fra" over "do not withdraw fra" misleads); otherwise the isolated or lost sites.
 */
function withdrawnSide(rb: Rb): string {
  const w = rb.r.withdrawn;
  return rb.o.isolate && w?.length ? w.join(", ") : rb.isolated.join(", ");
}

/**
 * How an entry is steered: anycast or DNS, the health check's detection time, how a withdrawal is
 * done by hand (review M81: anycast has no pool to disable — the site's BGP speakers stop
 * announcing the prefix), and what follows it.
 */
function steeringOf(tr: Topology["traffic"][number]) {
  const anycast = tr.steering?.value === "anycast";
  const hc = tr.healthCheck;
  const withdraw = hc?.withdrawSeconds?.value;
  return {
    anycast,
    // the worst-case detection, the check's own timeout included: the engine's RTO term (derive/timers, review style e)
    detect: healthCheckDetection(hc)?.seconds,
    /** "10 s × 3 checks + 5 s check timeout" */
    detectTerms: healthCheckDetection(hc)?.terms.join(" + "),
    /** "stop announcing … at fra" / "withdraw fra in the GSLB …", for the sites `side` */
    byHand: (side: string) =>
      anycast
        ? `stop announcing the anycast prefix from the BGP speakers at ${side} by hand (withdraw the route; an AS-path prepend or a higher MED moves most clients away, not all)`
        : `withdraw ${side} by hand in the GSLB (disable the pool members)`,
    /** what the upstream does once the route is withdrawn (anycast) */
    converge: anycast
      ? withdraw !== undefined
        ? `the upstream routes converge within ${count(withdraw)} s (healthCheck.withdrawSeconds)`
        : "the upstream routes converge (BGP; the time is not declared: healthCheck.withdrawSeconds)"
      : undefined,
  };
}

/**
 * The withdrawal, timed from the moment the cut begins (the chaos step): with a shallow health
 * check the isolated site serves errors until someone withdraws it, so the timer cannot wait for
 * the host steps and the probes. Returns the next step number.
 */
function steeringStep(rb: Rb, n: number): number {
  const entries = steeredEntries(rb);
  if (!entries.length) return n;
  const side = cell(rb.isolated.join(", "));
  rb.steering.step = n;
  const each = entries.map((tr) => {
    const { anycast, detect, byHand } = steeringOf(tr);
    const name = cell(tr.name!.value);
    const others = deepOthers(rb, tr.name!.value);
    if (others.length && rb.o.isolate)
      return `**${name}**: do not withdraw ${side} — its writes work during the cut; a deep health check fails at ${cell(others.join(", "))} instead and withdraws ${others.length > 1 ? "those" : "it"}${detect !== undefined ? `: start a ${detect} s timer now; if ${anycast ? "the route to" : "the GSLB has not taken"} ${cell(others.join(", "))} ${anycast ? "is still announced" : "out"} when it rings, ${byHand(cell(others.join(", ")))}` : `; the design declares no health-check timing (traffic[].healthCheck): ${byHand(cell(others.join(", ")))} now, after noting whether steering had already taken ${others.length > 1 ? "them" : "it"} out`}`;
    return detect !== undefined
      ? `**${name}**: start a ${detect} s timer now and hand it to a second person on the bridge; if ${anycast ? "the route to" : "the GSLB has not taken"} ${side} ${anycast ? "is still announced" : "out"} when it rings, ${byHand(side)} — do not wait for the host steps or the probes`
      : `**${name}**: the design declares no health-check timing (traffic[].healthCheck): ${byHand(side)} now, after noting whether steering had already taken it out`;
  });
  rb.out.push(
    `${n}. Steering — the cut has begun: ${each.join("; ")}. Write down when steering (or you) took ${rb.o.isolate && entries.some((tr) => deepOthers(rb, tr.name!.value).length) ? "each backend" : side} out (Withdraw ${cell(withdrawnSide(rb))} from steering, below).`,
    "",
  );
  return n + 1;
}

/** Why the dead-man fires when it does: under the first bound, or past it (said plainly). */
function deadmanWhy(rb: Rb): string {
  const { r, deadman } = rb;
  const limits = boundsOf(r);
  if (!limits.length) return ` (the run's ${cell(r.duration.text)} and ${DEADMAN_GRACE_SECONDS} s to roll back by hand)`;
  const first = limits[0].bound;
  const firsts = listOf(limits.filter((x) => x.bound === first).map((x) => x.name));
  if (deadman < first)
    return ` (${sec(first - deadman)} before the first bound, ${sec(first)}: ${cell(firsts)} — if the dead-man is what ends the run (you lost the path to the hosts), ${[
      ...(r.lag.some((l) => l.bound !== undefined) ? ["the replicas still catch up without a resync"] : []),
      ...(r.timers.length ? ["no member is declared dead"] : []),
      ...(r.evictions.length ? ["no pod is evicted"] : []),
    ]
      .join(", ")
      .replace(/, ([^,]*)$/, " and $1")})`;
  const mixed = acceptedWhy(rb, limits);
  if (mixed) return mixed;
  const buffer = Math.min(...r.lag.flatMap((l) => (l.bufferSeconds !== undefined ? [l.bufferSeconds] : [Number.POSITIVE_INFINITY])));
  const passed = [
    ...limits.filter((x) => deadman >= x.bound).map((x) => `${x.name} (${sec(x.bound)})`),
    ...(Number.isFinite(buffer) && deadman >= buffer ? [`the lag buffer (${sec(buffer)})`] : []),
  ];
  const lagPassed = r.lag.some((l) => l.bound !== undefined && deadman >= l.bound);
  return ` — **past ${cell(listOf(passed))}: if the dead-man is what ends the run, ${[
    ...(lagPassed ? [`the RPO is exceeded${Number.isFinite(buffer) && deadman >= buffer ? " and the replica must be resynced" : ""}`] : []),
    ...(r.timers.some((x) => deadman >= x.bound)
      ? ["members are declared dead unless the dead-store setting was raised (Pre-flight)"]
      : []),
    ...r.evictions
      .filter((x) => deadman >= x.bound)
      .map(
        (x) =>
          `the pods of ${x.cluster} at ${x.site} are evicted${x.ifStacked ? `, ${evictsIfStacked(x.cluster, x.controlPlaneAt)},` : ""} and stop at once on the heal`,
      ),
  ].join("; ")}**`;
}

/**
 * The dead-man under the first bound the planned run does not pass, when the run passes others
 * (accepted at the go/no-go): those do not lift it past the rest (review M122) — said with what it
 * still spares if it is what ends the run; undefined when the run passes no bound, or the dead-man
 * lies past what it does not.
 */
function acceptedWhy(rb: Rb, limits: readonly { name: string; bound: number }[]): string | undefined {
  const { r, deadman } = rb;
  const run = r.duration.seconds;
  const accepted = limits.filter((x) => x.bound <= run);
  // a lag buffer behind a maxLagSeconds the run passes still bounds the dead-man (gameday deadmanSeconds)
  const buffers = r.lag.flatMap((l) =>
    l.bound !== undefined && l.bound <= run && l.bufferSeconds !== undefined && l.bufferSeconds > run
      ? [{ name: `the lag buffer of ${l.store}`, bound: l.bufferSeconds }]
      : [],
  );
  const ahead = [...limits.filter((x) => x.bound > run), ...buffers].sort((a, b) => a.bound - b.bound);
  if (!accepted.length || !ahead.length || deadman >= ahead[0].bound) return undefined;
  const next = ahead[0].bound;
  const spared = [
    ...(r.lag.length && r.lag.every((l) => (l.bufferSeconds ?? l.bound ?? 0) > deadman)
      ? ["the replicas still catch up without a resync"]
      : []),
    ...(r.timers.length && r.timers.every((x) => x.bound > deadman) ? ["no member is declared dead"] : []),
    ...(r.evictions.length && r.evictions.every((x) => x.bound > deadman) ? ["no pod is evicted"] : []),
  ];
  return ` (${sec(next - deadman)} before the first bound the run does not pass, ${sec(next)}: ${cell(listOf(ahead.filter((x) => x.bound === next).map((x) => x.name)))} — the planned run already passes ${cell(listOf(accepted.map((x) => `${x.name} (${sec(x.bound)})`)))}, accepted before the run (Duration, above), which does not move the dead-man past the others${
    spared.length ? `: if the dead-man is what ends the run (you lost the path to the hosts), ${listOf(spared)}` : ""
  })`;
}

function proof(rb: Rb): void {
  const { r, out } = rb;
  const sideOf = (site: string) => r.sides.findIndex((g) => g.includes(site));
  const cutRows = portMatrix(r.ctx).rows.filter(
    (x) => sideOf(x.from.site) >= 0 && sideOf(x.to.site) >= 0 && sideOf(x.from.site) !== sideOf(x.to.site),
  );
  out.push("## Prove the cut took effect", "");
  if (r.probe.probes.length) {
    const hosts = r.probe.probes.some((q) => q.from.kind === "host");
    const pods = r.probe.probes.some((q) => q.from.kind === "pod");
    out.push(
      `- ${codeSpan("sh probe.sh during")} (from your workstation, over the management network) tests each row of the port matrix that crosses the cut from its real source — every line must read \`ok … closed\` (a \`FAIL\` line is a path the cut left open):`,
      ...(hosts
        ? [
            "  - **Host-network flows from the hosts, over ssh** (etcd, the Cilium agents, the clustermesh-apiserver NodePort, hosts outside the clusters). Chaos tools never touch a host's own network: only the host tables cut these, so only a probe that starts on the host proves them — a pod the chaos selects would read `closed` even if no host table were loaded. Why ssh and not a `hostNetwork` probe pod on a control-plane node: the host steps already need a shell on every host, a pod cannot be reached through an isolated cluster's API (its etcd majority may be across the cut) nor run on a witness VM outside the clusters, and it needs the privileged Pod Security level.",
          ]
        : []),
      ...(pods
        ? [
            "  - **Pod flows from a probe pod** in the namespace that makes them (a store's replication), which the chaos tool selects: they prove the chaos cut. `UNKNOWN` there means that cluster's API does not answer (expected for an isolated cluster whose etcd majority is across the cut): the probes from the other side are the proof.",
          ]
        : []),
      `  - ${probeTimeText(rb)}`,
      "",
    );
    const seen = new Set<string>();
    for (const q of r.probe.probes) {
      const from = q.from.kind === "pod" ? `${q.from.cluster}/${q.from.namespace} (probe pod)` : `${q.from.what} (ssh)`;
      const line = `${from} → ${q.what}: TCP ${q.port} (${q.why})${"addresses" in q.to ? "" : ", at the addresses probe.sh before recorded"}`;
      if (seen.has(line)) continue;
      seen.add(line);
      out.push(`  - ${cell(line)}`);
    }
    out.push("");
  }
  for (const note of r.probe.notes) out.push(`- ${cell(note)}`);
  if (r.hostPlans.length)
    out.push(
      `- On a host of each row of the host table, the drop counters must be rising: ${codeSpan(shellLine(["nft", "list", "table", "inet", NFT_TABLE]))} (or ${codeSpan(shellLine(["iptables", "-L", IPTABLES_CHAIN, "-v", "-n", "-x"]))}). Counters at zero mean nothing crossed the cut there — or the rules are not in the path.`,
    );
  // a row is demanded to fail only when both its ends are cut: declared ranges that a rule drops
  const probed = cutRows.filter((x) => x.from.ranges.length && x.to.ranges.length && !x.when);
  const unprobed = cutRows.filter((x) => !x.from.ranges.length || !x.to.ranges.length);
  const conditional = cutRows.filter((x) => x.from.ranges.length && x.to.ranges.length && x.when);
  if (probed.length) {
    out.push("- These rows of the port matrix cross the cut and must now fail (test each from its source):", "");
    for (const x of probed)
      out.push(
        `  - ${cell(portText(x))} ${x.direction === "both" ? "↔" : "→"} ${cell(x.component)}: ${cell(x.from.what)} (${cell(x.from.site)}) to ${cell(x.to.what)} (${cell(x.to.site)})`,
      );
  }
  if (conditional.length)
    out.push(
      `- Not demanded (a flow that exists only under a condition the design does not say, so it may never have connected): ${conditional.map((x) => cell(`${portText(x)} ${x.component}, ${x.from.what} to ${x.to.what} (only ${x.when})`)).join("; ")}.`,
    );
  if (unprobed.length)
    out.push(
      `- Not cut, so expected to still connect (an end has no declared range a rule could drop): ${unprobed.map((x) => cell(`${portText(x)} ${x.component}, ${x.from.what} to ${x.to.what}`)).join("; ")}.`,
    );
  const v6 = uncutIpv6(r);
  if (v6.length)
    out.push(
      `- IPv6, which neither the NetworkChaos nor probe.sh tests: from a pod of each cluster in What is cut (its probe pod, or any pod in a namespace cut), connect over IPv6 to a pod on the other side — \`kubectl --context CLUSTER -n NS exec POD -- nc -z -w 2 ADDRESS PORT\`, ADDRESS an IPv6 address from the other side's \`kubectl get pods -o wide\` (${cell(v6.join(", "))}) — it must time out; if it connects, IPv6 is open across the cut.`,
    );
  out.push("- If any row that must fail still connects, the cut is incomplete: roll back and fix the plan before reading any check.", "");
}

/**
 * The shortest run that enacts this runbook (review M84), from its own steps timed from the cut:
 * `probe.sh during`, the write checks up to their abort time, each steering timer plus a withdrawal
 * by hand — rounded up to the minute, and never under the derived floor (MIN_DERIVED_SECONDS,
 * which also allows for loading the host rules on every host first).
 */
function shortestRun(rb: Rb): number {
  const steer = steeredEntries(rb).map((tr) => (steeringOf(tr).detect ?? 0) + MANUAL_WITHDRAWAL_SECONDS);
  const need = Math.max(probeSeconds(rb.r.probe).seconds, rb.probeAt.abortAfter, ...steer);
  return Math.max(MIN_DERIVED_SECONDS, Math.ceil(need / 60) * 60);
}

/** A --duration shorter than the runbook's own steps, said plainly under Duration (review M84). */
function tooShort(rb: Rb): string[] {
  const d = rb.r.duration;
  const n = shortestRun(rb);
  if (d.derived || d.seconds >= n) return [];
  const t = probeSeconds(rb.r.probe).seconds;
  return [
    "",
    `**The run is shorter than its own steps — the cut lasts ${cell(d.text)}${t >= d.seconds ? `, \`probe.sh during\` alone about ${t} s` : ""}: pass --duration ${goDuration(n)} or more** (the shortest run that enacts this runbook: the host rules loaded on every host, \`probe.sh during\` about ${t} s, the write checks up to ${rb.probeAt.abortAfter} s after the cut is complete${steeredEntries(rb).length ? ", the steering timer and a withdrawal by hand" : ""}). Run this short, the checks below read a cut that has already healed.`,
  ];
}

/**
 * The abort on the withdrawn side's errors: the TTL plus a margin, since clients and resolvers that
 * ignore or clamp it keep the old answer past it and would fire the abort in a run that goes as
 * predicted (review M113); undefined `ttl` (anycast, or none declared): the sustain time alone.
 */
function withdrawnAbort(withdrawn: readonly string[], ttl: number | undefined): string {
  const from = `errors from ${withdrawn.map(cell).join(", ")} (predicted until withdrawn) still above the baseline`;
  return ttl !== undefined
    ? `${from} ${ttl + ERROR_SUSTAIN_SECONDS} s after the withdrawal step (its ${ttl} s TTL plus ${ERROR_SUSTAIN_SECONDS} s: clients and resolvers that ignore or clamp the TTL keep sending there after it)`
    : `${from} ${ERROR_SUSTAIN_SECONDS} s after the withdrawal step`;
}

/** How long the proof takes, against the run it must fit in. */
function probeTimeText(rb: Rb): string {
  const { r } = rb;
  const t = probeSeconds(r.probe);
  const fits = t.seconds * 3 <= r.duration.seconds;
  return `It takes about ${t.seconds} s when every path is closed: the ${t.rows} probes run one after another, the addresses of each at once (${PROBE_PARALLEL} at a time, ${PROBE_TIMEOUT_SECONDS} s per attempt, plus one ssh or kubectl exec round trip); a row of more than ${t.recordedAbove} recorded node or pod addresses adds ${PROBE_TIMEOUT_SECONDS} s per further ${PROBE_PARALLEL}. ${
    t.seconds >= r.duration.seconds
      ? `**The run ends before \`probe.sh during\` can finish: the cut lasts ${cell(r.duration.text)} — pass --duration ${goDuration(shortestRun(rb))} or more** (Duration, above).`
      : fits
        ? `Well under the run's ${cell(r.duration.text)}: start it as soon as the host steps are done, and the checks below still have the rest of the run.`
        : `**That is more than a third of the run's ${cell(r.duration.text)}**: start it the moment the host steps are done, and read the checks below while it runs.`
  }`;
}

function withdraw(rb: Rb): void {
  const { p, out, isolated, windows } = rb;
  if (!isolated.length) return;
  const side = isolated.join(", ");
  // several lost sites: "fra, lon keep their share", not "keeps its"
  const many = isolated.length > 1;
  out.push(`## Withdraw ${cell(withdrawnSide(rb))} from steering${rb.steering.step ? ` (step ${rb.steering.step})` : ""}`, "");
  const entries = steeredEntries(rb);
  if (!entries.length) out.push(`No traffic entry has a backend in ${cell(side)}: nothing to withdraw.`, "");
  for (const tr of entries) {
    // one derivation of the window for the engine, the availability figures and this runbook
    const rto = rtoEstimate(tr);
    const pr = p.traffic.find((y) => y.name === tr.name!.value);
    const share =
      pr?.backends.filter((b) => isolated.includes(b.site) && b.loadRps !== null).reduce((a, b) => a + (b.loadRps ?? 0), 0) ?? 0;
    const { anycast, detect, detectTerms, byHand, converge } = steeringOf(tr);
    // none of its errors enacted (w85): a deep check keeps passing at the cut-off side — only the step withdraws it
    if (rb.r.unenactedEntries.includes(tr.name!.value)) {
      out.push(unenactedWithdrawal(rb, tr, share));
      continue;
    }
    if (rto) windows.push(`${tr.name!.value}: ${rto.seconds} s`);
    const hc = tr.healthCheck;
    const others = deepOthers(rb, tr.name!.value);
    if (others.length) {
      out.push(...deepElsewhere(rb, tr, share, others), timing(rto, detect, anycast, hc));
      continue;
    }
    out.push(
      `- **${cell(tr.name!.value)}** (${cell(tr.steering?.value ?? "?")}): before the withdrawal ${cell(side)} ${many ? "keep their" : "keeps its"} share, ${int(share)} rps. ${cell(side)} ${many ? "are" : "is"} cut off but alive: ${many ? "their" : "its"} ingress still answers the internet, so only a **deep** health check (one that writes through the stores the entry depends on${tr.dependsOn?.items.length ? `: ${tr.dependsOn.items.map((x) => cell(x.value)).join(", ")}` : ""}) notices; a shallow one keeps passing.`,
      `  - Watch ${anycast ? "the route" : "the pool"} for ${detect !== undefined ? `${detect} s (${detectTerms})` : "the health check's detection time (not declared: traffic[].healthCheck)"}${rb.steering.step ? `, timed from step ${rb.steering.step} — the moment the chaos cut ${cell(side)} off — not from the end of the host steps or the probes` : ""}: if ${anycast ? `the route to ${cell(side)} is still announced` : `${cell(side)} ${many ? "are" : "is"} still in rotation`}, the check is shallow — write that down as a finding, then ${anycast ? byHand(cell(side)) : `withdraw ${many ? "their" : "its"} backends by hand in the GSLB (disable the pool members)`}. From that moment ${converge ?? `clients drain within the ${tr.ttlSeconds ? `${tr.ttlSeconds.value} s` : "(undeclared)"} TTL (longer for resolvers that clamp TTLs)`}.`,
      timing(rto, detect, anycast, hc),
    );
  }
  out.push("");
}

/**
 * The withdrawal of an entry none of whose predicted errors the steps enact (gameday enactedView,
 * w85): the stores it writes to are not cut, so the cut-off side keeps serving it and a deep health
 * check keeps passing there — still in rotation is expected, not a finding — and the step withdraws
 * it by hand, which is what the state after the withdrawal judges.
 */
function unenactedWithdrawal(rb: Rb, tr: Topology["traffic"][number], share: number): string {
  const side = cell(rb.isolated.join(", "));
  const many = rb.isolated.length > 1;
  const { anycast, detect, byHand, converge } = steeringOf(tr);
  // the errors may be predicted on the other side (the isolated one writing fine, review M142's draft): said of the entry, not of the side
  const when =
    detect !== undefined
      ? `when the ${detect} s timer rings`
      : "after the health check's detection time (not declared: traffic[].healthCheck)";
  return `- **${cell(tr.name!.value)}** (${cell(tr.steering?.value ?? "?")}): before the withdrawal ${side} ${many ? "keep their" : "keeps its"} share, ${int(share)} rps, and ${many ? "serve" : "serves"} it without errors: the errors the engine predicts for ${cell(tr.name!.value)} in the cut come only from stores not cut here (Not enacted, above), so a deep health check keeps passing at ${side}, as a shallow one does — ${side} still in ${anycast ? "the routing table" : "rotation"} ${when} is expected, not a finding. Then ${anycast ? byHand(side) : `withdraw ${many ? "their" : "its"} backends by hand in the GSLB (disable the pool members)`}: the state after the withdrawal (Customer impact) is that step's. From that moment ${converge ?? `clients drain within the ${tr.ttlSeconds ? `${tr.ttlSeconds.value} s` : "(undeclared)"} TTL (longer for resolvers that clamp TTLs)`}.`;
}

/** The entry's time to detect and withdraw, with a deep check and with a shallow one. */
function timing(
  rto: ReturnType<typeof rtoEstimate>,
  detect: number | undefined,
  anycast: boolean,
  hc: Topology["traffic"][number]["healthCheck"],
): string {
  return `  - ${
    rto
      ? `Expected time to detect and withdraw with a deep check: ${rto.seconds} s (${cell(rto.terms)}) — ${cell(rto.caveat)}. With a shallow check: plan ${rto.seconds + MANUAL_WITHDRAWAL_SECONDS} s — the ${detect ?? "?"} s timer, up to ${MANUAL_WITHDRAWAL_SECONDS} s to withdraw by hand, then ${anycast ? `the route's convergence${hc?.withdrawSeconds ? ` (${count(hc.withdrawSeconds.value)} s)` : ""}` : "the TTL"} (Pre-flight budgets both).`
      : "Time to detect and withdraw: unknown — the design gives no traffic[].healthCheck (or no ttlSeconds); measure it."
  }`;
}

/**
 * The withdrawal where a deep check fails outside the isolated sites (review M116): the isolated
 * side writes fine, so its check passes — still in rotation is the check working, not a finding —
 * and the erroring backends elsewhere are the ones steering withdraws. `--isolate` never has the
 * operator withdraw the only side whose writes work; `--lose` does, as the enactment of the loss.
 */
function deepElsewhere(rb: Rb, tr: Topology["traffic"][number], share: number, others: readonly string[]): string[] {
  const side = cell(rb.isolated.join(", "));
  const many = rb.isolated.length > 1;
  const them = cell(others.join(", "));
  const { anycast, detect, byHand } = steeringOf(tr);
  const deps = tr.dependsOn?.items.map((x) => cell(x.value)) ?? [];
  const check = `a **deep** health check (one that writes through the stores the entry depends on${deps.length ? `: ${deps.join(", ")}` : ""})`;
  const timer = detect !== undefined ? `${detect} s` : "the health check's detection time (not declared: traffic[].healthCheck)";
  return [
    `- **${cell(tr.name!.value)}** (${cell(tr.steering?.value ?? "?")}): before the withdrawal ${side} ${many ? "keep their" : "keeps its"} share, ${int(share)} rps. ${side} ${many ? "are" : "is"} cut off but alive, and ${many ? "their" : "its"} writes work: the engine predicts ${side}'s backends serving and ${them} erroring in the cut. So ${check} passes at ${side} and fails at ${them}: steering withdraws ${them}, not ${side}${rb.o.isolate ? `, and ${side} then ${many ? "carry" : "carries"} the entry's whole load (Customer impact, below)` : ""}.`,
    `  - Watch ${anycast ? "the route" : "the pool"} for ${timer}${rb.steering.step ? `, timed from step ${rb.steering.step}` : ""}: ${side} still in rotation is the deep check working, not a finding; if ${anycast ? `the route to ${them} is still announced` : `${them} ${others.length > 1 ? "are" : "is"} still in rotation`}, the check is shallow — write that down as a finding${rb.o.isolate ? `, then ${byHand(them)}` : ""}. ${
      rb.o.isolate
        ? `Do not withdraw ${side} by hand: ${many ? "they hold" : "it holds"} the only backends whose writes work, and withdrawing ${many ? "them" : "it"} turns ${them}'s errors into all of the entry's.`
        : `Withdraw ${side} all the same (Steering, step ${rb.steering.step ?? "?"}): that is how this run enacts the loss of ${side} — a lost site answers nothing — not what a deep check does. ${loseAfterDeep(rb, tr, others)}`
    }`,
  ];
}

/**
 * `--lose` where a deep check fails elsewhere (w56): withdrawing the lost side does not make the
 * others write — they err because of where the writer is, not because of steering — so the deep
 * check that withdrew them (engine deepWithdrawn) keeps them out; the runbook must not tell the
 * operator to leave them in. Says what is left in rotation then.
 */
function loseAfterDeep(rb: Rb, tr: Topology["traffic"][number], others: readonly string[]): string {
  const them = cell(others.join(", "));
  const many = others.length > 1;
  const failing = deepCheckFailsElsewhere(rb.p, tr.name!.value, rb.isolated);
  const reason = cell(deepReason(rb.r.ctx, tr, rb.isolated, failing));
  const after = rb.r.after?.traffic.find((y) => y.name === tr.name!.value);
  const left = after?.backends.filter((b) => b.loadRps !== null && !others.includes(b.cluster)).map((b) => cell(b.cluster)) ?? [];
  const entry = cell(tr.name!.value);
  return `Once ${cell(rb.isolated.join(", "))} is out, ${them} still ${many ? "err" : "errs"} (${reason}), so a deep check keeps ${many ? "them" : "it"} withdrawn too: ${
    left.length
      ? `${entry} is left to ${listOf(left)}`
      : `${entry} has no backend left in rotation — **down** either way, as with ${them} in and answering errors (Customer impact, below)`
  }. Only a shallow check leaves ${them} in.`;
}

function abortCriteria(rb: Rb): void {
  const { r, p, t, out, deadman } = rb;
  out.push(
    "## Abort criteria",
    "",
    "Roll back at once (Roll-back below) when any of these holds. Error and latency thresholds are against the baseline recorded in Pre-flight.",
    "",
  );
  const after = r.after;
  for (const tr of p.traffic) {
    const entry = t.traffic.find((x) => x.name?.value === tr.name);
    const peak = entry?.peakRps?.value ?? tr.backends.reduce((a, b) => a + (b.loadRps ?? 0), 0);
    const threshold = Math.max(1, Math.round(peak * ERROR_SHARE));
    const ttl = entry?.steering?.value === "anycast" ? undefined : entry?.ttlSeconds?.value;
    const withdrawn = tr.backends.filter((b) => b.errors && rb.isolated.includes(b.site)).map((b) => b.cluster);
    const staying = tr.backends.filter((b) => b.errors && !rb.isolated.includes(b.site) && b.loadRps !== null);
    const healthy = tr.backends.filter((b) => !b.errors && b.loadRps !== null).map((b) => b.cluster);
    const tight = (after ?? (partitionWithdrawn(rb, tr.name).length ? r.deepAfter?.after : undefined) ?? p).traffic
      .find((y) => y.name === tr.name)
      ?.backends.filter((b) => b.loadRps !== null && b.capacityRps !== null && b.loadRps >= b.capacityRps);
    const parts = [
      ...(healthy.length
        ? [
            `errors at ${healthy.map(cell).join(", ")} (predicted healthy) above the baseline by more than ${int(threshold)} rps (${ERROR_SHARE * 100}% of its ${int(peak)} rps peak) for ${ERROR_SUSTAIN_SECONDS} s`,
          ]
        : []),
      ...(withdrawn.length ? [withdrawnAbort(withdrawn, ttl)] : []),
      ...staying.map((b) => stayingAbort(rb, tr.name, b)),
      // at capacity: its SLO is the line; a predicted overload breaks the SLO by design (accepted in the
      // go/no-go), so the criterion is the overload spreading, not the overload itself (review M106)
      ...(tight?.filter((b) => !b.overloaded).length
        ? [
            `p99 latency or saturation of ${tight
              .filter((b) => !b.overloaded)
              .map((b) => `${cell(b.cluster)} (predicted ${int(b.loadRps!)} rps of ${int(b.capacityRps!)}: no headroom)`)
              .join(", ")} above its SLO for ${ERROR_SUSTAIN_SECONDS} s`,
          ]
        : []),
      ...(tight ?? [])
        .filter((b) => b.overloaded)
        .map(
          (b) =>
            `${cell(b.cluster)}'s predicted overload (${int(b.loadRps!)} rps of ${int(b.capacityRps!)}) spreading beyond it — other entries or clusters degrading — or it not recovering within ${ERROR_SUSTAIN_SECONDS} s of the roll-back (the overload itself is predicted: its SLO is breached by design)`,
        ),
    ];
    if (parts.length) out.push(`- ${cell(tr.name)}: ${parts.join("; or ")}.`);
  }
  for (const q of p.quorums) {
    if (!r.enactedQuorums.has(q.name)) continue;
    const w = q.groups.find((y) => y.writes);
    const n = Object.values(q.members).reduce((a, c) => a + c, 0);
    const m = rb.moves.find((x) => x.quorum === q.name);
    if (w)
      out.push(
        oneSide(q)
          ? `- ${cell(q.name)}: writes still fail on ${cell(w.sites.join(", "))} ${rb.probeAt.abortAfter} s after ${cutDone(rb)} (predicted to keep writing with ${w.members} of ${n}: ${writeProbe(r.ctx, q.name, oneSide(q))}).`
          : `- ${cell(q.name)}: writes still fail on ${cell(w.sites.join(", "))} ${rb.probeAt.abortAfter} s after ${cutDone(rb)} (predicted to keep writing with ${w.members} of ${n}${m ? `; the first writes there wait while leadership leaves ${cell(listOf(m.cutOff))} (${cell(m.why)}) — not a reason to abort` : ""}), or a member elsewhere accepts a write (${writeProbe(r.ctx, q.name)}).`,
      );
  }
  for (const l of r.lag)
    out.push(`- ${lagAbort(l, r.duration.seconds, (r.ctx.topology.storeByName.get(l.store)?.writers?.items.length ?? 0) > 1)}`);
  for (const x of r.timers)
    out.push(
      `- ${cell(x.subject)}: a node at ${cell(listOf(x.cutOff))} shown **dead** (not just suspect) in the DB Console${spareNodes(x) ? `, or replicas being added at ${cell(listOf(x.majority))}` : ""} — ${raised(rb, x) ? `the raised ${x.timer.setting} did not take` : `the run has reached ${x.timer.setting} (${sec(x.bound)})`}: roll back, then check the placement (Post-heal).${spareNodes(x) ? "" : ` Do not wait for replicas being added at ${cell(listOf(x.majority))}: with the ${x.nodesAtMajority} nodes the design declares there (each already holding a replica of every range) none is added.`}`,
    );
  for (const x of r.evictions)
    if (r.duration.seconds < x.bound)
      out.push(
        `- cluster ${cell(x.cluster)}: a TaintManagerEviction event for a pod at ${cell(x.site)} (${codeSpan(viaMajority(x, ["get", "events", "-A", "--field-selector", "reason=TaintManagerEviction"]))}; ${majorityNote(x)}) — eviction has begun (the run has reached about ${sec(x.bound)}, or a pod tolerates less than ${sec(UNREACHABLE_TOLERATION_SECONDS)}): roll back at once; every pod evicted is stopped when the cut heals.`,
      );
  out.push(
    `- The experiment runs past ${cell(r.duration.text)}${r.hostPlans.length ? ` (the dead-man timer deletes the host tables at ${deadman} s, the DEADLINE of step 1)` : ""}.`,
    "",
  );
}

/** A backend on the side that stays erring: bounded by the run, with the figure the cut ends with. */
function stayingAbort(rb: Rb, entry: string, b: Result["traffic"][number]["backends"][number]): string {
  const after = rb.r.after;
  // the line checks the errors outlasting the cut: the figure is the one the cut ends with — after
  // the withdrawal, the load steering moved onto it (review M106)
  const last =
    after && withdraws(rb) ? after.traffic.find((y) => y.name === entry)?.backends.find((y) => y.cluster === b.cluster) : undefined;
  // --isolate, a deep check fails here and not on the isolated side: it withdraws this one (review M116)
  const deep = rb.o.isolate && deepOthers(rb, entry).includes(b.cluster);
  return `errors at ${cell(b.cluster)} (predicted: up to ${
    deep
      ? `${int(b.loadRps!)} rps fail until a deep health check withdraws it, not ${cell(listOf(rb.isolated))}`
      : partitionWithdrawn(rb, entry).includes(b.cluster)
        ? `${int(b.loadRps!)} rps fail until a deep health check withdraws it, while the cut lasts with a shallow one`
        : last?.errors && last.loadRps !== null && last.loadRps !== b.loadRps
          ? `${int(last.loadRps)} rps fail from the withdrawal of ${cell(listOf(rb.isolated))} until the cut heals — ${int(b.loadRps!)} before it`
          : `${int(b.loadRps!)} rps fail while the cut lasts`
  }) still above the baseline ${ERROR_SUSTAIN_SECONDS} s after the planned end (${cell(rb.r.duration.text)}) or after a roll-back — the accepted outage is the run's length, not more`;
}

/** The lag criterion: below the first bound by the margin when the run stays under it; otherwise lag the cut does not explain. */
function lagAbort(l: LagPlan, seconds: number, multiWriter: boolean): string {
  if (l.bound === undefined)
    return `store ${cell(l.store)}: replication lag growing faster than 1 s per second of the cut (a writer stalled as well), or the replica disconnecting.`;
  const at = l.bound - ABORT_MARGIN_SECONDS;
  return seconds < at
    ? `store ${cell(l.store)}: replication lag above ${sec(at)} (the first bound ${sec(l.bound)} less ${ABORT_MARGIN_SECONDS} s to roll back) — it grows 1 s per second of the cut, so about ${sec(seconds)} more than the baseline at the planned end; reaching ${sec(at)} means the run has overrun, or started with more lag than Pre-flight allows.`
    : `store ${cell(l.store)}: this run is planned past its lag bound (${sec(l.bound)}; see Duration): roll back if the lag exceeds the time since the cut began by more than ${ABORT_MARGIN_SECONDS} s (lag the cut does not explain), or if ${multiWriter ? "a writer's disk fills with the log it keeps for its peer" : "the primary's disk fills"}.`;
}

function customerImpact(rb: Rb): void {
  const { r, p, out, windows } = rb;
  out.push("## Customer impact", "");
  const slow = slowWrites(rb);
  const stalls = new Set<string>();
  for (const w of slow) {
    const stall = stalls.has(w.entry) ? undefined : stallText(rb, w.entry);
    if (stall) stalls.add(w.entry);
    out.push(`- ${cell(w.entry)}: ${stall ? `${stall}; then ` : ""}slower, not failing — ${w.text}.`);
  }
  for (const tr of p.traffic) {
    const stall = stalls.has(tr.name) ? undefined : stallText(rb, tr.name);
    if (stall) out.push(`- ${cell(tr.name)}: ${stall}; after that, their usual time.`);
  }
  for (const c of apiStopped(rb))
    out.push(
      `- cluster ${cell(c)}: its workloads keep serving, but nothing there can be deployed, scaled or rescheduled (${remoteControlPlane(rb, c) ? `its API, at ${cell(listOf(remoteControlPlane(rb, c)!))}, takes writes its nodes cannot see` : stretchedControlPlane(rb, c) ? `its API servers at ${cell(rb.r.ctx.siteOfCluster(c)!)} refuse writes; those at ${cell(listOf(stretchedControlPlane(rb, c)!))} take them, but ${cell(rb.r.ctx.siteOfCluster(c)!)}'s nodes see nothing of them` : "its API refuses writes"}) until the heal.`,
    );
  for (const x of rb.r.evictions.filter((y) => rb.r.duration.seconds >= y.bound))
    out.push(
      `- cluster ${cell(x.cluster)}: ${x.ifStacked ? `${evictsIfStacked(cell(x.cluster), x.controlPlaneAt.map(cell))}, ` : ""}**its pods at ${cell(x.site)} are evicted from about ${sec(x.bound)}** and stopped all at once when the cut heals — its workloads there, ingress included, restart as ${cell(x.site)} returns; keep ${cell(x.site)} out of steering until they are Ready again.${x.ifStacked ? ` ${capital(HOSTED_EVICTS_NOTHING)}.` : ""}`,
    );
  // a multi-writer store the cut splits: its customers see it, not only the Checks (review)
  out.push(...divergenceImpact(rb).map((x) => `- ${x}`));
  if (!p.traffic.length) out.push("No traffic entry declares peakRps with resolvable backends.");
  for (const tr of p.traffic) {
    // a backend on the cut-off side errs until steering withdraws it; one on the side that stays
    // in steering errs until the cut heals (review M106: "until withdrawn" was said of both)
    const errs = tr.backends.filter((b) => b.errors && b.loadRps);
    const gone = errs.filter((b) => rb.isolated.includes(b.site));
    const stay = errs.filter((b) => !rb.isolated.includes(b.site));
    const answers = (bs: typeof errs) => bs.map((b) => `${cell(b.cluster)} answers up to ${int(b.loadRps!)} rps with errors`).join("; ");
    const others = rb.o.isolate ? deepOthers(rb, tr.name) : [];
    const aft = r.after?.traffic.find((y) => y.name === tr.name);
    const remaining = aft?.backends.filter((b) => b.loadRps !== null) ?? [];
    const allErr = remaining.length > 0 && remaining.every((b) => b.errors);
    const parts = [
      ...(gone.length
        ? [
            `${answers(gone)}${windows.length ? ` until withdrawn (${windows.map(cell).join(", ")} with a deep health check; with a shallow one, until you withdraw it by hand — plan ${MANUAL_WITHDRAWAL_SECONDS} s more)` : ""}`,
          ]
        : []),
      ...(stay.length
        ? [
            others.length
              ? `${answers(stay)} until a deep health check withdraws ${stay.length > 1 ? "them" : "it"} — ${stay.length > 1 ? "their" : "its"} writes fail, ${cell(rb.isolated.join(", "))}'s work; with a shallow check, until you withdraw ${stay.length > 1 ? "them" : "it"} by hand`
              : partitionWithdrawn(rb, tr.name).length
                ? `${answers(stay)} until a deep health check withdraws ${stay.length > 1 ? "them" : "it"} (${partitionWindow(rb, tr.name)}); with a shallow one, while the cut lasts — nothing in this run withdraws ${stay.length > 1 ? "them" : "it"}`
                : `${answers(stay)} while the cut lasts — steering keeps sending there: it is on the side that stays`,
          ]
        : []),
    ];
    out.push(
      `- ${cell(tr.name)}: ${parts.length ? `${parts.join("; ")} (every request assumed to need a write)` : "no backend is predicted to serve errors"}.${
        aft && withdraws(rb)
          ? ` After the withdrawal${others.length ? ` of ${cell(others.join(", "))} (not ${cell(rb.isolated.join(", "))})` : ""}: ${
              remaining
                .map(
                  (b) =>
                    `${cell(b.cluster)} ${int(b.loadRps!)} rps of ${b.capacityRps === null ? "?" : int(b.capacityRps)}${b.overloaded ? " — **overloaded**" : b.capacityRps !== null && b.loadRps! >= b.capacityRps ? " (no headroom)" : ""}${b.errors ? `, all ${int(b.loadRps!)} rps errors` : ""}`,
                )
                .join("; ") || "no backend remains"
            }${allErr ? ` — every remaining backend serves errors: **${cell(tr.name)} is down until the cut heals**` : ""}.`
          : partitionAfterText(rb, tr.name)
      }`,
    );
  }
  out.push("");
}

/** `--partition`: the backends of an entry a deep health check withdraws (they err, another serves; review M126), else empty. */
function partitionWithdrawn(rb: Rb, entry: string): string[] {
  const d = rb.r.deepAfter;
  if (!d || rb.isolated.length) return [];
  const tr = rb.p.traffic.find((y) => y.name === entry);
  return (tr?.backends ?? []).filter((b) => b.errors && b.loadRps && d.withdrawn.includes(b.site)).map((b) => b.cluster);
}

/** "within about 90 s: 10 s × 3 checks + 60 s TTL", the entry's window (availability rtoEstimate), or that it is not declared. */
function partitionWindow(rb: Rb, entry: string): string {
  const tr = rb.t.traffic.find((x) => x.name?.value === entry);
  const rto = tr ? rtoEstimate(tr) : null;
  return rto
    ? `within about ${rto.seconds} s: ${cell(rto.terms)}`
    : "the design declares no health-check timing (traffic[].healthCheck): how soon is unknown";
}

/** " With a deep check, once it has withdrawn fra-prod: lon-prod 40,000 rps of 40,000 (no headroom)." — the partition's after (review M126). */
function partitionAfterText(rb: Rb, entry: string): string {
  const gone = partitionWithdrawn(rb, entry);
  const aft = rb.r.deepAfter?.after.traffic.find((y) => y.name === entry);
  if (!gone.length || !aft) return "";
  const remaining = aft.backends.filter((b) => b.loadRps !== null);
  return ` With a deep check, once it has withdrawn ${cell(listOf(gone))}: ${
    remaining
      .map(
        (b) =>
          `${cell(b.cluster)} ${int(b.loadRps!)} rps of ${b.capacityRps === null ? "?" : int(b.capacityRps)}${b.overloaded ? " — **overloaded**" : b.capacityRps !== null && b.loadRps! >= b.capacityRps ? " (no headroom)" : ""}${b.errors ? `, all ${int(b.loadRps!)} rps errors` : ""}`,
      )
      .join("; ") || "no backend remains"
  }.`;
}

/** What a store whose writers the cut splits does to its customers: two versions of their data, and what the heal keeps. */
function divergenceImpact(rb: Rb): string[] {
  const { r, p, t, isolated } = rb;
  return p.stores.flatMap((st) => {
    if ((st.outcome !== "diverges" && st.outcome !== "corrupts") || r.uncutStores.includes(st.name)) return [];
    const decl = t.storeByName.get(st.name);
    const writers = decl?.writers?.items.map((w) => w.value) ?? [];
    const moved = writers.filter((w) => isolated.includes(w));
    const head = `store ${cell(st.name)}: its writers at ${cell(listOf(writers))} keep accepting writes and neither side sees the other's until the heal — a customer's data differs by the side that serves it${
      moved.length && withdraws(rb)
        ? `, and a client moved off ${cell(listOf(moved))} by the withdrawal no longer sees the writes it made there`
        : ""
    }`;
    if (st.outcome === "corrupts")
      return [`${head}. On the heal, with no conflict policy, a row both sides changed is corrupted: reconcile by hand after the heal.`];
    const lag = r.lag.find((l) => l.store === st.name);
    if (lag?.bufferSeconds !== undefined && r.duration.seconds >= lag.bufferSeconds)
      return [
        `${head}. This run outlasts its lag buffer (${sec(lag.bufferSeconds)}): the two versions stay apart after the heal until the writers are resynced.`,
      ];
    const policy = decl?.conflictResolution?.value;
    const discards = st.replication !== "crdt" && (policy === "crdt" || policy === "last-writer-wins");
    return [
      `${head}. On the heal, where both sides changed one row, ${cell(conflictMerge(st.replication, policy))}${discards ? ": a change a customer made on one side during the cut can be lost" : ""}.`,
    ];
  });
}

function checks(rb: Rb): void {
  const { r, p, out } = rb;
  out.push(
    "## Checks",
    "",
    `Verdict predicted: **${p.verdict}**${r.after && withdraws(rb) ? ` during the window, **${r.after.verdict}** after the withdrawal${afterWhom(rb)}` : ""}.${
      r.unenactedQuorums.length
        ? ` That verdict is the engine's for the whole cut; ${r.unenactedQuorums.map(cell).join(", ")} ${r.unenactedQuorums.length === 1 ? "is" : "are"} not cut here (Not enacted) and may keep writing where the engine predicts ${r.unenactedQuorums.length === 1 ? "it stops" : "they stop"}: not part of this run.`
        : ""
    }${
      r.unenactedEntries.length
        ? ` It counts the errors of ${listOf(r.unenactedEntries.map((x) => `traffic ${cell(x)}`))}, which the steps do not enact (Not enacted): not part of this run.`
        : ""
    }${meshVerdictText(rb)}`,
    "",
  );
  const list = [
    ...quorumChecks(rb),
    ...storeChecks(rb),
    ...timerChecks(rb),
    ...evictionChecks(rb),
    ...trafficChecks(rb),
    ...overloadChecks(rb),
    ...apiChecks(rb),
    ...latencyChecks(rb),
  ];
  out.push(
    ...(list.length
      ? list.map((c) => `- [ ] ${c}`)
      : ["- [ ] Nothing should break: every enacted quorum, store and entry point continues — confirm each against its baseline."]),
    "",
  );
}

/** The verdict counts an Istio remote's control-plane loss and Linkerd gateway links the steps do not cut (review M119, M120). */
function meshVerdictText(rb: Rb): string {
  const meshes = judged(rb).flatMap((x) => x.meshes);
  const lost = [...new Set(meshes.filter((m) => m.outcome === "control-plane-lost").map((m) => m.cluster))];
  const links = [...new Set(meshes.filter((m) => m.mode === "gateway").map((m) => `${m.cluster}'s Linkerd link to ${m.because}`))];
  const what = [
    ...(lost.length ? [`${lost.map(cell).join(", ")} losing ${lost.length === 1 ? "its" : "their"} Istio control plane`] : []),
    ...(links.length ? [`the loss of ${links.map(cell).join(", ")}`] : []),
  ];
  return what.length ? ` It counts ${what.join(" and ")}, which the steps do not cut (Not enacted): not part of this run.` : "";
}

/** `--isolate`, where a deep check withdraws another side (review M116): " of lon-prod (not fra)", as the engine's "after" judges it; else "". */
function afterWhom(rb: Rb): string {
  if (!rb.o.isolate) return "";
  const others = [...new Set(rb.p.traffic.flatMap((tr) => deepOthers(rb, tr.name)))];
  return others.length ? ` of ${cell(listOf(others))} (not ${cell(listOf(rb.isolated))})` : "";
}

/** Whether the isolated sites have a backend to withdraw (else the window and the state after it are one judgement). */
function withdraws({ r, t, isolated }: Rb): boolean {
  return t.traffic.some((tr) => tr.backends.some((b) => isolated.includes(r.ctx.siteOfCluster(b.cluster?.value ?? "") ?? "")));
}

/** The outcomes as judged: the window's, and after a withdrawal the state after it too. */
const judged = ({ r, p }: Rb): Result[] => (r.after ? [p, r.after] : [p]);

/** Clusters up whose API stops (their etcd keeps no majority on their side): the engine's apiStops, each with its observable. */
function apiStopped(rb: Rb): string[] {
  const { ctx, unenactedQuorums } = rb.r;
  // a cluster whose control plane the steps do not cut keeps its API (Not enacted, review M99)
  const enacted = (name: string) => {
    const c = ctx.topology.clusterByName.get(name);
    const q = c && ctx.quorumOf(c);
    return !q || !unenactedQuorums.includes(q.label);
  };
  return [...new Set(judged(rb).flatMap((x) => x.clusters.filter((c) => c.apiStops && enacted(c.name)).map((c) => c.name)))];
}

/** Why a cluster's API stops: its members on its side are a minority, or (none there) its whole control plane is across the cut. */
function apiStopReason(rb: Rb, name: string): string {
  const c = rb.r.ctx.topology.clusterByName.get(name);
  const q = c && rb.r.ctx.quorumOf(c);
  const remote = remoteControlPlane(rb, name);
  return q && remote
    ? `its nodes are cut off from its whole control plane at ${listOf(remote, "and")}`
    : "its etcd members on its side hold no majority";
}

/** The sites of a cluster's control plane (derive/controlplane: not a witness's etcd-only member, review M111) when none of it is at the cluster's own site (a remote or hosted control plane), else undefined. */
function remoteControlPlane(rb: Rb, name: string): string[] | undefined {
  const c = rb.r.ctx.topology.clusterByName.get(name);
  const q = c && rb.r.ctx.quorumOf(c);
  const home = rb.r.ctx.siteOfCluster(name);
  const cp = controlPlaneSites(rb.r.ctx, name);
  return q && home !== undefined && !cp.includes(home) ? [...cp] : undefined;
}

/**
 * The sites where a stretched cluster's control plane keeps its etcd majority across the cut (the
 * engine's controlPlaneAt, less the cluster's own site), when some of it is at the cluster's site too;
 * else undefined. Its API servers there keep taking writes: through the context's endpoint (a load
 * balancer over every API server) a write may land there and succeed, as designed (review M112).
 */
function stretchedControlPlane(rb: Rb, name: string): string[] | undefined {
  if (remoteControlPlane(rb, name)) return undefined;
  const home = rb.r.ctx.siteOfCluster(name);
  const at = [
    ...new Set(judged(rb).flatMap((x) => x.clusters.filter((c) => c.name === name && c.apiStops).flatMap((c) => c.controlPlaneAt))),
  ].filter((x) => x !== home);
  return at.length ? at : undefined;
}

/** The API check's write through one chosen API server (SERVER_PLACEHOLDER), not the context's endpoint. */
const annotateThrough = (c: string): string =>
  kubectlLine(c, [
    `--server=https://${SERVER_PLACEHOLDER}:6443`,
    "annotate",
    "namespace",
    "default",
    "quorate/probe=probe",
    "--overwrite",
    "--request-timeout=10s",
  ]);

function apiChecks(rb: Rb): string[] {
  return apiStopped(rb).map((c) => {
    // a control plane wholly across the cut keeps its majority there and keeps taking writes: what
    // stops is its nodes' reach to it, not its writes (review M100)
    const away = remoteControlPlane(rb, c);
    if (away) {
      const home = rb.r.ctx.siteOfCluster(c)!;
      const via = annotateThrough(c);
      return `cluster ${cell(c)}'s API is out of reach from ${cell(home)} while its pods keep serving (${cell(apiStopReason(rb, c))}); its control plane keeps running at ${cell(listOf(away))} with its whole etcd, and keeps taking writes. Through an API server there — ${codeSpan(via)}, ${SERVER_PLACEHOLDER} a control-plane host of ${cell(c)} at ${cell(listOf(away, "or"))} — the annotation must succeed (a failure there is the finding: the cut reached the control plane itself); from a node of ${cell(c)} at ${cell(home)} TCP 6443 to those hosts must fail (Prove the cut). Nothing the API takes reaches ${cell(home)} until the heal: new pods stay Pending, deletions are not enacted there. Post-heal removes the annotation.`;
    }
    const majority = stretchedControlPlane(rb, c);
    if (majority) {
      // test each side through an API server of its own: the context's endpoint may send the write
      // to the majority side, where it succeeds as designed (review M112, the stretched half of M100)
      const home = rb.r.ctx.siteOfCluster(c)!;
      const via = annotateThrough(c);
      return `cluster ${cell(c)}'s API servers at ${cell(home)} refuse writes while its pods keep serving (${cell(apiStopReason(rb, c))}); those at ${cell(listOf(majority))}, with its etcd majority, keep taking writes. Test each side through an API server of its own, not the context's endpoint (a load balancer over every API server may send the write to ${cell(listOf(majority, "or"))}, where it succeeds as designed): ${codeSpan(via)} with ${SERVER_PLACEHOLDER} a control-plane host of ${cell(c)} at ${cell(home)} must time out or fail (reads are not the test; a success there is the finding: a cut that did not take — write it down), and with ${SERVER_PLACEHOLDER} one at ${cell(listOf(majority, "or"))} must succeed (a failure there is the finding: the cut reached the majority). Nothing the API takes reaches ${cell(home)}'s nodes until the heal. Post-heal removes the annotation.`;
    }
    return `cluster ${cell(c)}'s API refuses writes while its pods keep serving (${cell(apiStopReason(rb, c))}): ${codeSpan(`${kubectlLine(c, ["annotate", "namespace", "default", "quorate/probe=probe", "--overwrite", "--request-timeout=10s"])}`)} must time out or fail, while its pods keep running (kubectl get pods may still answer: reads are not the test). A success is itself the finding: the API took a write the design says it cannot (a control-plane endpoint that sends the request to an API server across the cut, or a cut that did not take) — write it down; Post-heal removes the annotation. Nothing can be scaled, rolled out or rescheduled there until the heal.`;
  });
}

/** Client writes over their store's budget (the engine's overBudget): "lon-prod's ledger writes 28 ms (leader in fra) > 20 ms". */
function slowWrites(rb: Rb): { entry: string; cluster: string; text: string; leader: string | null; store: string }[] {
  const seen = new Set<string>();
  const out: { entry: string; cluster: string; text: string; leader: string | null; store: string }[] = [];
  for (const x of judged(rb))
    for (const tr of x.traffic)
      for (const b of tr.backends.filter((y) => y.overBudget && !y.errors))
        for (const w of b.writes.filter((y) => y.latencyMs !== null && y.budgetMs !== null && y.latencyMs > y.budgetMs)) {
          const text = `${cell(b.cluster)}'s writes to ${cell(w.store)} take about ${w.latencyMs} ms (${w.leader ? `leader in ${cell(w.leader)}` : "its farthest member"}${w.via ? `, through ${cell(w.via)}` : ""}), over the ${w.budgetMs} ms budget`;
          if (seen.has(text)) continue;
          seen.add(text);
          out.push({ entry: tr.name, cluster: b.cluster, text, leader: w.leader, store: w.store });
        }
  return out;
}

function latencyChecks(rb: Rb): string[] {
  return slowWrites(rb).map(
    (w) =>
      `traffic ${cell(w.entry)}: ${w.text} once the leaders move — measure the write p99 per site (the DB Console's SQL service latency p99 per node, or the application's own write p99 from ${cell(w.cluster)}): it must rise to about that figure, and no higher.${
        // judged where simulate would place the leader; nothing in the design pins it there (review M106)
        w.leader
          ? ` The figure is judged with the leader in ${cell(w.leader)}, where simulate would place it: unless ${cell(w.store)}'s leaders are pinned there (lease preferences, or the engine's own pin), each new leader may land at another site of the majority, and the slow writes are then that other side's — the site away from the new leaders must show about that figure.`
          : ""
      }`,
  );
}

function quorumChecks(rb: Rb): string[] {
  const { r, p, moves, probeAt } = rb;
  const out: string[] = [];
  for (const q of p.quorums) {
    if (!r.enactedQuorums.has(q.name)) continue;
    const writing = q.groups.filter((y) => y.writes);
    const stopped = q.groups.filter((y) => !y.writes);
    if (q.outcome === "stops")
      out.push(
        `${cell(q.name)} stops taking writes everywhere: ${q.groups.map((y) => `${y.sites.join(",")} holds ${y.members}`).join("; ")}, majority ${q.majority} — expect write errors on every side, and no leader (${writeProbe(r.ctx, q.name).replace(/ — it must succeed where the majority is.*$/, " — it must time out (or fail) on every side")}).`,
      );
    else if (writing[0]) {
      const m = moves.find((x) => x.quorum === q.name);
      out.push(
        `${cell(q.name)} keeps writing on ${cell(writing[0].sites.join(", "))} (${writing[0].members} members, majority ${q.majority})${stopped.length ? `; the members on ${cell(stopped.map((y) => y.sites.join(", ")).join(" and "))} (${stopped.map((y) => y.members).join(" and ")}) must refuse writes — any write they accept is a misconfigured minority accepting writes: data corruption` : ""}. Test ${m ? `from ${probeAt.from} s after ${cutDone(rb)} (the first writes wait while leadership leaves ${cell(listOf(m.cutOff))}, ${cell(m.why)}; a write that hangs before then is expected, one still failing at ${probeAt.abortAfter} s is an abort)` : "after the cut"}: ${writeProbe(r.ctx, q.name, oneSide(q))}.`,
      );
    }
  }
  return out;
}

/**
 * How to see a quorum take or refuse a write, against one member per site; `at`: every member is on
 * that one side of the cut, so there is no other side to probe (review M99).
 */
function writeProbe(ctx: TopologyContext, label: string, at?: readonly string[]): string {
  const q = ctx.quorums.find((x) => x.label === label);
  const where = at ? `at ${cell(listOf(at, "or"))}, where every member is` : "on each side";
  const one = " — it must succeed";
  if (q?.kind === "etcd")
    return `${codeSpan(etcdctl("--command-timeout=5s", "put", ETCD_PROBE_KEY, "probe"))} on a member's host ${where} (over ssh; kubeadm's certificate paths)${at ? one : " — it must succeed where the majority is and time out elsewhere"}`;
  const st = q?.owner as Store | undefined;
  if (st && isCockroach(st))
    return `${codeSpan(cockroach("sql", "-e", `UPSERT INTO ${probeTable(st)} VALUES (1, now())`))} through a node ${where} (the probe table from Pre-flight)${at ? one : " — it must succeed where the majority is (CockroachDB ≥ 24.1 may proxy a write through a follower, slower) and hang or fail on ranges whose majority is across the cut"}`;
  if (st && consensusEngine(st.engine?.value) === "yugabytedb")
    return `${codeSpan(ysqlsh(st.name!.value, "SET statement_timeout = 5000; INSERT INTO quorate_probe VALUES (1, now()) ON CONFLICT (k) DO UPDATE SET at = excluded.at"))} through a yb-tserver ${where} (TSERVER; the probe table from Pre-flight)${at ? one : " — it must succeed where the majority is and time out on tablets whose majority is across the cut"}`;
  if (st && consensusEngine(st.engine?.value) === "tidb")
    return `${codeSpan(tidbSql(`INSERT INTO ${tidbProbeTable(st)} VALUES (1, NOW()) ON DUPLICATE KEY UPDATE at = NOW()`))} through a TiDB server ${where} (TIDB; the probe table from Pre-flight)${at ? one : " — it must succeed where the majority is and hang or fail on Regions whose majority is across the cut"}`;
  const single = st ? singleLeaderProbe(st) : undefined;
  if (single)
    return `${codeSpan(single.write)} ${single.through} ${where}${at ? one : " — it must succeed where the majority is and fail elsewhere (no leader there: an error within seconds, not a hang)"}`;
  return `a test write through a member ${where}${at ? one : " — it must succeed where the majority is and fail elsewhere"}`;
}

/** The key a Consul store's write probe writes (an etcd store's is ETCD_PROBE_KEY; MongoDB's probe is a collection in the store's own database). */
const CONSUL_PROBE_KEY = "quorate/gameday";

/**
 * A single-leader store's write probe with its own client, and its clean-up (review M130): bounded
 * so that where no leader can be reached the write errors within seconds.
 */
function singleLeaderProbe(st: Store): { write: string; through: string; clean: string; cleanWhat: string } | undefined {
  const e = st.engine?.value;
  if (isMongo(e)) {
    const coll = `db.getSiblingDB(${JSON.stringify(st.name!.value)}).quorate_probe`;
    const rs = (js: string) =>
      shellLine(["mongosh", "mongodb://MEMBER:27017/?replicaSet=RS&serverSelectionTimeoutMS=5000", "--quiet", "--eval", js]);
    return {
      write: rs(
        `${coll}.updateOne({ _id: 1 }, { $set: { at: new Date() } }, { upsert: true, writeConcern: { w: "majority", wtimeout: 5000 } })`,
      ),
      through:
        "(MEMBER: a member on that side, RS: the replica set's name — the shell finds the primary it can reach; the probe collection in the store's own database, here named like the store) from a host",
      clean: rs(`${coll}.drop()`),
      cleanWhat: "drop the probe collection",
    };
  }
  if (isEtcdEngine(e))
    return {
      write: storeEtcdctl("--command-timeout=5s", "put", ETCD_PROBE_KEY, "probe"),
      through: "on a member's host (or in its pod)",
      clean: storeEtcdctl("del", ETCD_PROBE_KEY),
      cleanWhat: "delete the probe key",
    };
  if (isConsul(e))
    return {
      write: consul("kv", "put", CONSUL_PROBE_KEY, "probe"),
      through: "on a server",
      clean: consul("kv", "delete", CONSUL_PROBE_KEY),
      cleanWhat: "delete the probe key",
    };
  return undefined;
}

/** The sites of a quorum's members when the cut leaves them all on one side (no member across it to probe), else undefined. */
function oneSide(q: Result["quorums"][number]): string[] | undefined {
  const held = q.groups.filter((y) => y.members > 0);
  return held.length === 1 ? held[0].sites.filter((x) => (q.members[x] ?? 0) > 0) : undefined;
}

function storeChecks({ r, p, t, isolated }: Rb): string[] {
  const out: string[] = [];
  for (const st of p.stores) {
    // a store whose replication the steps do not cut keeps replicating: nothing to check of it (Not enacted, review M123)
    if (r.uncutStores.includes(st.name)) continue;
    const decl = t.storeByName.get(st.name);
    const inside = isolated.length && decl?.writers?.items.some((w) => isolated.includes(w.value));
    const lag = r.lag.find((l) => l.store === st.name);
    const resync = lag?.bufferSeconds !== undefined && r.duration.seconds >= lag.bufferSeconds;
    if (st.outcome === "corrupts")
      out.push(
        `store ${cell(st.name)} accepts writes on both sides with no conflict policy: conflicting writes corrupt data — reconcile by hand after the heal.`,
      );
    else if (st.outcome === "diverges")
      out.push(
        `store ${cell(st.name)} accepts writes on both sides; ${
          resync
            ? `this run outlasts its lag buffer (${sec(lag!.bufferSeconds!)}): the writers fall out of each other's stream and must be resynced before they converge`
            : `on the heal each side's writes are exchanged${lag?.bufferSeconds !== undefined ? ` (as long as its lag — the baseline plus the cut — stays under the ${sec(lag.bufferSeconds)} its lag buffer holds)` : ""} and, where both changed one row, ${cell(conflictMerge(st.replication, decl?.conflictResolution?.value))}. After the heal: ${afterMerge(st.replication, decl?.conflictResolution?.value, decl?.engine?.value)}`
        }.`,
      );
    else if (inside)
      out.push(
        `store ${cell(st.name)}: its writer inside ${cell(isolated.join(", "))} keeps accepting writes the other side does not see; if the other side promotes a replica meanwhile, the two diverge on heal.`,
      );
  }
  for (const b of p.breaks.filter((y) => / serves stale reads$/.test(y)))
    out.push(`${prose(b)}: watch the replication-lag alarm fire (time to detect).`);
  return out;
}

function trafficChecks(rb: Rb): string[] {
  const { p, isolated } = rb;
  const out: string[] = [];
  for (const tr of p.traffic) {
    const errs = tr.backends.filter((b) => b.errors);
    const gone = errs.filter((b) => isolated.includes(b.site));
    const stay = errs.filter((b) => !isolated.includes(b.site));
    const names = (bs: typeof errs) => bs.map((b) => cell(b.cluster)).join(", ");
    if (gone.length)
      out.push(
        `traffic ${cell(tr.name)}: ${names(gone)} cannot write to a store it depends on; clients still sent there get errors until steering withdraws ${gone.length === 1 ? "it" : "them"} — measure the 5xx rate at the external monitor, per backend.`,
      );
    // on the side that stays in steering nothing withdraws it: its errors last as long as the cut (review M106)
    // unless the isolated side writes fine: then a deep health check withdraws these instead (review M116)
    const them = stay.length === 1 ? "it" : "them";
    if (stay.length)
      out.push(
        rb.o.isolate && deepOthers(rb, tr.name).length
          ? `traffic ${cell(tr.name)}: ${names(stay)} cannot write to a store it depends on; clients sent there get errors until a deep health check withdraws ${them} (with a shallow one, until you withdraw ${them} by hand) — measure the 5xx rate at the external monitor, per backend.`
          : partitionWithdrawn(rb, tr.name).length
            ? `traffic ${cell(tr.name)}: ${names(stay)} cannot write to a store it depends on; clients sent there get errors until a deep health check withdraws ${them} (${partitionWindow(rb, tr.name)}) — write down when steering took ${them} out, or that it did not (a shallow check: errors until the cut heals, a finding); measure the 5xx rate at the external monitor, per backend.`
            : `traffic ${cell(tr.name)}: ${names(stay)} cannot write to a store it depends on; clients sent there get errors until the cut heals — steering keeps ${them} — measure the 5xx rate at the external monitor, per backend.`,
      );
    if (tr.outcome === "unserved") out.push(`traffic ${cell(tr.name)}: no backend remains — the entry point is down.`);
  }
  for (const m of p.meshes)
    out.push(m.outcome === "control-plane-lost" ? istioCheck(rb, m.cluster, m.because) : linkerdCheck(rb, m.cluster, m.because, m.mode));
  return out;
}

/**
 * The overloads the run enacts, as checks (review M142: with no other check the runbook read "Nothing
 * should break" beside Customer impact's "lon-prod 40,000 rps of 30,000 — overloaded"): each backend
 * overloaded after the withdrawal (or, without one, in the window), in simulate's load words (loadWords).
 */
function overloadChecks(rb: Rb): string[] {
  const after = rb.r.after && withdraws(rb) ? rb.r.after : undefined;
  const x = after ?? rb.p;
  return x.traffic.flatMap((tr) =>
    tr.backends
      .filter((b) => b.overloaded && b.loadRps !== null && b.capacityRps !== null)
      .map((b) => {
        const w = loadWords(b.loadRps!, b.capacityRps!);
        return `traffic ${cell(tr.name)}: ${after ? "after the withdrawal, " : ""}${cell(b.cluster)} carries ${w.load} of ${w.capacity} (overloaded by ${w.excess}, headroom ${w.share}): expect its latency and 5xx to rise with it — measure both at the external monitor, and hold them to the abort criteria.`;
      }),
  );
}

/**
 * A Linkerd link in the drill, per mode (review M120): a gateway link runs through the target's
 * gateway, whose address no rule drops (Not enacted) — its probe keeps passing unless the gateway
 * is a NodePort on the target's declared nodes; a flat or federated link is pod to pod, which the
 * cut drops, and keeps the last endpoints it saw.
 */
function linkerdCheck(rb: Rb, me: string, target: string, mode: string | undefined): string {
  if (mode !== "gateway")
    return `cluster ${cell(me)} keeps the last endpoints it saw of ${cell(target)}'s Services (${cell(mode ?? "flat")} link: no probe withdraws them): calls to them time out until the cut heals — measure the timeouts on a caller in ${cell(me)}.`;
  const nodes = nodeRangesOf(rb.t.clusterByName.get(target));
  return `cluster ${cell(me)}'s Linkerd link to ${cell(target)} runs through ${cell(target)}'s gateway, whose address no rule here drops (Not enacted): the gateway probe keeps passing — ${codeSpan(shellLine(["linkerd", "--context", me, "multicluster", "gateways"]))} shows ${cell(target)} alive — and the mirrors of its Services keep their endpoints.${
    nodes.length
      ? ` If the gateway is a NodePort on ${cell(target)}'s nodes (${cell(nodes.join(", "))}, dropped by the rules), the loss simulate predicts is enacted instead: the probe fails (not alive there), the mirrors lose their endpoints and calls to them fail fast until the cut heals.`
      : ""
  }`;
}

/** A cluster's declared node range: where a NodePort east-west gateway listens. */
export const nodeRangesOf = (c: Cluster | undefined): string[] => (c?.cidrs ?? []).filter((v) => v.field === "nodes").map((v) => v.value);

/**
 * An Istio remote's path to its primary's istiod crosses the primary's east-west gateway, whose
 * address no rule drops (Not enacted): the check is that the remote keeps it, and the engine's
 * control-plane loss holds only for a NodePort gateway on the primary's declared nodes (review M119).
 */
function istioCheck(rb: Rb, remote: string, primary: string): string {
  const nodes = nodeRangesOf(rb.t.clusterByName.get(primary));
  const test = `${codeSpan(kubectlLine(remote, ["-n", "NS", "run", "quorate-inject", "--image=busybox:1.36.1", "--restart=Never", "--dry-run=server", "-o", "jsonpath={.spec.containers[*].name}"]))} (NS a namespace labelled for injection; a server-side dry run calls the injection webhook and creates nothing)`;
  return `cluster ${cell(remote)} keeps its Istio control plane (${cell(primary)}'s istiod, through ${cell(primary)}'s east-west gateway, whose address no rule here drops — Not enacted): new pods in its injected namespaces still get their sidecar — ${test} lists istio-proxy. ${
    nodes.length
      ? `If the gateway is a NodePort on ${cell(primary)}'s nodes (${cell(nodes.join(", "))}, dropped by the rules), the loss simulate predicts is enacted instead: the dry run is refused (the injection webhook fails closed), and there are no config pushes or new certificates; running workloads keep serving on their current certificates.`
      : "No config push or certificate stops either: the loss simulate predicts is not part of this run."
  }`;
}

function rollback(rb: Rb): void {
  const { r, out, isolated, deadman } = rb;
  out.push(
    "## Roll-back",
    "",
    r.hostPlans.length
      ? "Host rules first (while the cut stands the isolated cluster's API server may not answer, and its chaos objects cannot be deleted through it), then the chaos manifests, then steering."
      : "The chaos manifests, then steering.",
    "",
  );
  let k = 1;
  for (const h of r.hostPlans)
    out.push(
      `${k++}. On every host of ${cell(h.what)}${h.cluster ? ` (${codeSpan(nodesFile(h.cluster))})` : ""}: ${codeSpan(shellLine(["nft", "delete", "table", "inet", NFT_TABLE]))} (iptables: ${codeSpan(shellLine(["sh", "-c", IPTABLES_ROLLBACK]))}), then ${codeSpan(shellLine(["systemctl", "stop", "quorate-gameday-rollback.timer"]))}.`,
    );
  for (const y of r.plans) out.push(`${k++}. ${codeSpan(kubectl(y.cluster, "delete", y.file))}`);
  const withProbe = [...new Set(probePods(r.probe).map((x) => x.cluster))];
  if (r.probe.probes.length)
    out.push(
      `${k++}. ${codeSpan("sh probe.sh before")} again: every probe connects once more (the cut is gone everywhere)${withProbe.length ? `; then delete the probe pods: ${withProbe.map((c) => codeSpan(kubectlLine(c, ["delete", "-f", probeFile(c)]))).join("; ")}` : ""}.`,
    );
  // --isolate where a deep check withdrew another side's backends (review M116): those go back in
  const back = rb.o.isolate ? [...new Set(rb.p.traffic.flatMap((tr) => deepOthers(rb, tr.name)))] : [];
  if (isolated.length)
    out.push(
      `${k++}. Put ${cell((back.length ? back : isolated).join(", "))} back into steering only after the post-heal checks pass (reintroducing traffic while writes still fail repeats the incident).`,
    );
  // a control plane wholly across the cut still writes; its nodes (and Chaos Mesh's daemons there) cannot reach it (review M99 nit)
  const remote = stuckClusters(r).filter((c) => remoteControlPlane(rb, c));
  const stuck = stuckClusters(r).filter((c) => !remoteControlPlane(rb, c));
  const until = `until the host rules are gone, at the latest when the dead-man timer fires at ${deadman} s`;
  const except = [
    ...(stuck.length
      ? [
          `on ${stuck.map(cell).join(", ")}: ${stuck.length === 1 ? "its etcd has" : "their etcds have"} no majority on ${stuck.length === 1 ? "its" : "their"} side of the cut, so ${stuck.length === 1 ? "its" : "their"} API server cannot write (and Chaos Mesh's controller cannot record the end) ${until}`,
        ]
      : []),
    ...remote.map(
      (c) =>
        `on ${cell(c)}: its nodes at ${cell(r.ctx.siteOfCluster(c) ?? "?")} cannot reach its control plane at ${cell(listOf(remoteControlPlane(rb, c)!))}, so Chaos Mesh there cannot see or record the end ${until}`,
    ),
  ];
  out.push(
    "",
    `The chaos experiments also end by themselves after the duration${except.length ? ` — except ${except.join("; and ")}` : ""}${r.hostPlans.length ? `; the dead-man timer removes the host rules at the DEADLINE of step 1, ${deadman} s after the cut began` : ""}.`,
    "",
  );
}

/** Clusters with chaos objects whose own etcd keeps no majority on their side of the cut. */
function stuckClusters(r: RunbookInput): string[] {
  return r.plans
    .filter((y) => {
      const q = r.prediction.quorums.find((x) => x.name === `etcd of cluster ${y.cluster}`);
      if (!q || !r.enactedQuorums.has(q.name)) return false;
      return !q.groups.some((g) => g.writes && g.sites.includes(y.site));
    })
    .map((y) => y.cluster);
}

function postHeal(rb: Rb): void {
  const { r, t, out } = rb;
  const has = (f: (c: Cluster) => boolean) => t.clusters.some(f);
  out.push("## Post-heal checks", "");
  const post: string[] = [];
  if (has((c) => !!c.etcd?.members))
    post.push(`etcd: ${etcdHealedRead(etcdctl, KUBEADM_CERTS)}; then delete the probe key: ${codeSpan(etcdctl("del", ETCD_PROBE_KEY))}.`);
  for (const st of consensusStores(t)) {
    const drop = dropProbeTable(st);
    if (drop) post.push(`${cell(st.name!.value)}: drop the probe table — ${codeSpan(drop)}.`);
    const probe = singleLeaderProbe(st);
    if (probe) post.push(`${cell(st.name!.value)}: ${probe.cleanWhat} — ${codeSpan(probe.clean)}.`);
  }
  for (const st of consensusStores(t)) post.push(`${cell(st.name!.value)}: ${healedText(st)}`);
  // the API check above writes an annotation into production: wherever it succeeded it is still there (review M90)
  for (const c of apiStopped(rb))
    post.push(
      remoteControlPlane(rb, c)
        ? // its control plane across the cut keeps taking writes: the annotation is the expected result there (review M100)
          `${cell(c)}: remove the API check's annotation — ${codeSpan(kubectlLine(c, ["annotate", "namespace", "default", "quorate/probe-"]))} (the check wrote it through an API server at ${cell(listOf(remoteControlPlane(rb, c)!, "or"))}, as predicted).`
        : stretchedControlPlane(rb, c)
          ? // the majority side's API servers take the check's write as designed (review M112)
            `${cell(c)}: remove the API check's annotation — ${codeSpan(kubectlLine(c, ["annotate", "namespace", "default", "quorate/probe-"]))} (the check wrote it through an API server at ${cell(listOf(stretchedControlPlane(rb, c)!, "or"))}, as predicted).`
          : `${cell(c)}: remove the API check's annotation — ${codeSpan(kubectlLine(c, ["annotate", "namespace", "default", "quorate/probe-"]))} (it is there only if a write succeeded during the cut: that success is the finding the check records).`,
    );
  post.push(...timerPostHeal(rb), ...evictionPostHeal(rb));
  if (has((c) => c.mesh === "clustermesh"))
    post.push(
      `ClusterMesh: ${codeSpan(shellLine(["cilium", "clustermesh", "status", "--wait"]))} on every cluster — every remote cluster connected (KVStoreMesh resynced its cache).`,
    );
  if (has((c) => c.mesh === "submariner"))
    post.push(`Submariner: ${codeSpan(shellLine(["subctl", "show", "connections"]))} — every connection \`connected\`.`);
  if (has((c) => !!c.linkerd))
    post.push(
      `Linkerd: ${codeSpan(shellLine(["linkerd", "multicluster", "check"]))} and ${codeSpan(shellLine(["linkerd", "multicluster", "gateways"]))} — every gateway alive.`,
    );
  if (has((c) => !!c.istio)) post.push(`Istio: ${codeSpan(shellLine(["istioctl", "remote-clusters"]))} — every remote synced.`);
  for (const st of t.stores)
    if (st.replication?.value === "async" && st.name && !r.uncutStores.includes(st.name.value)) {
      const lag = r.lag.find((l) => l.store === st.name!.value);
      post.push(
        lag?.bufferSeconds !== undefined && r.duration.seconds >= lag.bufferSeconds
          ? `${cell(st.name.value)}: the run outlasted its lag buffer — resync the replica (or writer) that fell out of the stream, then lag back under ${st.maxLagSeconds ? `${st.maxLagSeconds.value} s` : "its bound"} and draining to zero.`
          : `${cell(st.name.value)}: replication lag back under ${st.maxLagSeconds ? `${st.maxLagSeconds.value} s` : "its bound"} and draining to zero.`,
      );
    }
  post.push(
    "Write down each time to detect and to withdraw, and every check that did not match the prediction: each is a finding about the design or its alarms.",
  );
  out.push(...post.map((y) => `- [ ] ${y}`), "");
}

/** Whether the run outlasts a timer, so Pre-flight raises it for the run. */
const raised = (rb: Rb, x: TimerPlan) => rb.r.duration.seconds >= x.bound;

/** The store a timer belongs to. */
const storeOf = (rb: Rb, x: TimerPlan) => rb.t.storeByName.get(x.subject.replace(/^store /, ""));

/** A dead-store timer the run outlasts is raised for the run; one it stays under is read, since the duration was derived from it. */
function timerPreflight(rb: Rb): string[] {
  return rb.r.timers.map((x) => {
    const st = storeOf(rb, x)!;
    return raised(rb, x)
      ? `- [ ] Raise the dead-store timer of ${cell(st.name!.value)} for the run: it lasts ${cell(rb.r.duration.text)}, past ${x.timer.engine}'s ${x.timer.setting} (${sec(x.bound)}), after which the members at ${cell(listOf(x.cutOff))} would be declared dead${spareNodes(x) ? " and their data re-replicated" : ""} during the drill — ${codeSpan(cockroach("sql", "-e", x.timer.raise(rb.deadman + 60)))} (past the dead-man's ${rb.deadman} s); Post-heal restores it.`
      : `- [ ] The dead-store timer of ${cell(st.name!.value)} is at least ${sec(x.bound)}: ${codeSpan(cockroach("sql", "-e", `SHOW CLUSTER SETTING ${x.timer.setting}`))} — the duration was derived from it; a lower value declares the members at ${cell(listOf(x.cutOff))} dead during the run.`;
  });
}

/** What the operator sees of a timer during the run: the members unavailable, nothing re-replicated. */
function timerChecks(rb: Rb): string[] {
  return rb.r.timers.map(
    (x) =>
      `${cell(x.subject)}: its members at ${cell(listOf(x.cutOff))} are unavailable and their ranges under-replicated (the Replication dashboard: under-replicated ranges above 0), but none is re-replicated — no node is declared dead for the whole run (${raised(rb, x) ? `${x.timer.setting} raised in Pre-flight` : `it ends before ${x.timer.setting}, ${sec(x.bound)}`}).`,
  );
}

/** After the heal: the placement back to the declared layout (no range with a majority of its voters at one site), and a raised timer restored. */
function timerPostHeal(rb: Rb): string[] {
  return rb.r.timers.flatMap((x) => {
    const st = storeOf(rb, x)!;
    const n = Number(/^(\d+)/.exec(x.layout)?.[1] ?? 0);
    const majority = Math.floor(n / 2) + 1;
    return [
      `${cell(st.name!.value)}: replicas back to their layout — ${codeSpan(cockroach("sql", "-e", `SELECT range_id, voting_replicas, replica_localities FROM [SHOW RANGES FROM DATABASE ${sqlName(st.name!.value)}]`))}: every range with ${cell(x.layout)}, and no range with ${majority} of its ${n} voters at one site (a range like that does not survive that site's loss); the Replication dashboard shows no under- or over-replicated range.`,
      ...(raised(rb, x)
        ? [`${cell(st.name!.value)}: restore the dead-store timer — ${codeSpan(cockroach("sql", "-e", x.timer.restore))}.`]
        : []),
    ];
  });
}

/** The events of the node controller's evictions in a cluster. */
const evictionEvents = (x: EvictionPlan) =>
  kubectlLine(x.cluster, ["get", "events", "-A", "--field-selector", "reason=TaintManagerEviction"]);

/** During the cut: through an API server on the majority side, named by hand — the context's own endpoint may sit in the site cut off. */
const SERVER_PLACEHOLDER = "CONTROL_PLANE_NODE";
const viaMajority = (x: EvictionPlan, args: readonly string[]) =>
  kubectlLine(x.cluster, [`--server=https://${SERVER_PLACEHOLDER}:6443`, ...args]);
const majorityNote = (x: EvictionPlan) =>
  `${SERVER_PLACEHOLDER}: a control-plane node of ${cell(x.cluster)} at ${cell(listOf(x.controlPlaneAt, "or"))} — the context's own server, the control-plane endpoint, may sit at ${cell(x.site)} and be cut off with it`;

/** The pods of a cluster not running (Pending: a replacement with nowhere to go). */
const pendingPods = (x: EvictionPlan) => kubectlLine(x.cluster, ["get", "pods", "-A", "--field-selector", "status.phase=Pending"]);

/** Where Pre-flight keeps a cluster's pods, for the comparison after the heal. */
const podsFile = (x: EvictionPlan) => `${fileSegment(x.cluster)}-pods.txt`;

/** Before a cut that can evict: the pods to compare against after the heal, and those that tolerate less than the default. */
function evictionPreflight(rb: Rb): string[] {
  return rb.r.evictions.map(
    (x) =>
      `- [ ] Pods of ${cell(x.cluster)}: ${codeSpan(`${kubectlLine(x.cluster, ["get", "pods", "-A", "-o", "wide"])} > ${shellWord(podsFile(x))}`)} — where each runs now (Post-heal compares); and each pod's own toleration of an unreachable node (one under ${sec(UNREACHABLE_TOLERATION_SECONDS)} is evicted sooner than ${sec(x.bound)}): ${codeSpan(kubectlLine(x.cluster, ["get", "pods", "-A", "-o", `jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {.spec.tolerations[?(@.key=="node.kubernetes.io/unreachable")].tolerationSeconds}{"\\n"}{end}`]))}.`,
  );
}

/** What the node controller at the majority does during the run, and what must not happen before its end. */
function evictionChecks(rb: Rb): string[] {
  return rb.r.evictions.map((x) =>
    rb.r.duration.seconds < x.bound
      ? `cluster ${cell(x.cluster)}: its nodes at ${cell(x.site)} NotReady after about ${sec(NODE_MONITOR_GRACE_SECONDS)}, seen through an API server at ${cell(listOf(x.controlPlaneAt, "or"))} (${codeSpan(viaMajority(x, ["get", "nodes"]))}; ${majorityNote(x)}), and no pod evicted before the run ends (${cell(rb.r.duration.text)}, under the ${sec(x.bound)} eviction): ${codeSpan(viaMajority(x, ["get", "events", "-A", "--field-selector", "reason=TaintManagerEviction"]))} stays empty.`
      : `cluster ${cell(x.cluster)}: its nodes at ${cell(x.site)} NotReady after about ${sec(NODE_MONITOR_GRACE_SECONDS)}, then${x.ifStacked ? `, ${evictsIfStacked(cell(x.cluster), x.controlPlaneAt.map(cell))}, ` : " "}from about ${sec(x.bound)} TaintManagerEviction events for their pods (${codeSpan(viaMajority(x, ["get", "events", "-A", "--field-selector", "reason=TaintManagerEviction"]))}; ${majorityNote(x)}), and their replacements Pending or scheduled at ${cell(listOf(x.controlPlaneAt, "or"))} (${codeSpan(viaMajority(x, ["get", "pods", "-A", "--field-selector", "status.phase=Pending"]))}) — while the pods at ${cell(x.site)} keep serving until the heal.${x.ifStacked ? ` ${capital(HOSTED_EVICTS_NOTHING)}: no such event, and nothing Pending.` : ""}`,
  );
}

/** After the heal: the evictions the run caused, if any, and every pod back where it ran. */
function evictionPostHeal(rb: Rb): string[] {
  return rb.r.evictions.map((x) => {
    const expected = rb.r.duration.seconds >= x.bound;
    return `${cell(x.cluster)}: ${expected ? `count the evicted pods${x.ifStacked ? " (none if its control plane is hosted: see Duration)" : ""}` : "no pod evicted"} — ${codeSpan(evictionEvents(x))} (events are kept an hour by default: check within it)${expected ? `, each replacement Running, and the restart of the pods at ${cell(x.site)} written down as a finding (its length is the cost of this cut)` : " is empty"}; no pod Pending (${codeSpan(pendingPods(x))}) and ${expected ? `the pods now off ${cell(x.site)} (compare ${codeSpan(kubectlLine(x.cluster, ["get", "pods", "-A", "-o", "wide"]))} with ${codeSpan(podsFile(x))} from Pre-flight) are the eviction's replacements: move them back once ${cell(x.site)}'s capacity is Ready` : `none moved off ${cell(x.site)} (compare ${codeSpan(kubectlLine(x.cluster, ["get", "pods", "-A", "-o", "wide"]))} with ${codeSpan(podsFile(x))} from Pre-flight)`}; the nodes at ${cell(x.site)} Ready again.`;
  });
}

/** The consensus stores (CockroachDB and kin): their leaders decide which side errors. */
function consensusStores(t: Topology): Store[] {
  return t.stores.filter((st) => st.name && st.replication?.value === "consensus");
}

const isCockroach = (st: Store) => /cockroach/i.test(st.engine?.value ?? "");

/** "5 voters: fra 2, lon 2, ams 1" from the store's declared members. */
function zoneText(st: Store): string {
  const m = (st.members?.entries ?? []).filter((e) => (e.count?.value ?? 0) > 0);
  const n = m.reduce((a, e) => a + (e.count?.value ?? 0), 0);
  return `${n} voters: ${m.map((e) => `${e.site.value} ${e.count!.value}`).join(", ")}`;
}

/** Where a consensus store's leaders are, per engine. */
function leaderCommand(st: Store): string {
  switch (consensusEngine(st.engine?.value)) {
    case "cockroachdb":
      return `${codeSpan(cockroach("node", "status", "--ranges"))} and the DB Console's Replication dashboard (leaseholders per node, under-replicated ranges)`;
    case "yugabytedb":
      return `${codeSpan(ybAdmin("list_all_tablet_servers"))} (MASTERS: the yb-masters, host:7100 comma-separated) and the yb-master UI's Tablet Servers page (\`:7000/tablet-servers\`: tablet peers and leaders per tserver)`;
    case "tidb":
      return `${codeSpan(pdCtl("store"))} (PD: a placement driver; leader_count and region_count per TiKV store, with its labels) and ${codeSpan(pdCtl("member", "leader", "show"))} (PD's own leader: its "name" and "client_urls" say where it runs)`;
    default:
      return singleLeaderStatus(st) ?? "the engine's member and leader status";
  }
}

/** A store with one leader for all its data (MongoDB, etcd, Consul): its noun for that leader, else undefined. */
function singleLeader(st: Store | undefined): "primary" | "leader" | undefined {
  const e = st?.engine?.value;
  return isMongo(e) ? "primary" : isEtcdEngine(e) || isConsul(e) ? "leader" : undefined;
}

/** Where a single-leader store's leader is, with its own tool (review M130). */
function singleLeaderStatus(st: Store): string | undefined {
  const e = st.engine?.value;
  const name = cell(st.name!.value);
  if (isMongo(e))
    return `${codeSpan(mongosh(MONGO_MEMBERS))} (MEMBER: a member of ${name}; add the credentials your deployment requires; the member whose state is PRIMARY takes every write)`;
  if (isEtcdEngine(e))
    return `on a member of ${name} (its host, or \`kubectl exec\` into its pod), ${etcdLeaderRead(storeEtcdctl, STORE_ETCD_CERTS)}`;
  if (isConsul(e))
    return `${codeSpan(consul("operator", "raft", "list-peers"))} on a server of ${name} (its host or pod; with ACLs, a token in CONSUL_HTTP_TOKEN; the server whose State is leader takes every write)`;
  return undefined;
}

/** A single-leader store healed, with its own tool (review M130). */
function singleLeaderHealed(st: Store): string | undefined {
  const e = st.engine?.value;
  if (isMongo(e))
    return `${codeSpan(mongosh(MONGO_MEMBERS))} — every member (the witness's too) health 1, one PRIMARY and the others SECONDARY (or ARBITER); ${codeSpan(mongosh("rs.printSecondaryReplicationInfo()"))} — every secondary 0 secs behind the primary (caught up).`;
  if (isEtcdEngine(e)) return `${etcdHealedRead(storeEtcdctl, STORE_ETCD_CERTS)}, the witness's member too.`;
  if (isConsul(e))
    return `${codeSpan(consul("operator", "raft", "list-peers"))} — every server (the witness's too) listed with Voter true, one leader, and (where the version prints it) Trails Leader By back to 0 commits; ${codeSpan(consul("members"))} — every server alive.`;
  return undefined;
}

/** The Post-heal line of a consensus store: its own tool's view of a healed placement. */
function healedText(st: Store): string {
  switch (consensusEngine(st.engine?.value)) {
    case "cockroachdb":
      return `${leaderCommand(st)} — under-replicated and unavailable ranges back to 0, every member (the witness's too) caught up, leaders spread as before the run.`;
    case "yugabytedb":
      return `the yb-master UI's Replica Info page (\`:7000/tablet-replication\`) — no leaderless and no under-replicated tablet; ${codeSpan(ybAdmin("list_all_tablet_servers"))} — every tserver (the witness's too) ALIVE; tablet leaders per tserver (\`:7000/tablet-servers\`) spread as before the run.`;
    case "tidb":
      return `${codeSpan(pdCtl("region", "check", "miss-peer"))} and ${codeSpan(pdCtl("region", "check", "down-peer"))} — no Region listed; ${codeSpan(pdCtl("store"))} — every store (the witness's too) Up, leader_count per store as before the run.`;
    default:
      return (
        singleLeaderHealed(st) ??
        `${leaderCommand(st)} — nothing under-replicated or without a leader, every member (the witness's too) caught up, leaders spread as before the run.`
      );
  }
}

/** The Pre-flight line creating a consensus store's probe table, for the engines whose SQL Quorate writes. */
function probeTablePreflight(st: Store): string | undefined {
  const name = st.name!.value;
  const own = `in ${cell(name)}'s own database (here named like the store: use the database its tables live in)`;
  switch (consensusEngine(st.engine?.value)) {
    case "cockroachdb":
      return `- [ ] Probe table of ${cell(name)}: ${codeSpan(cockroach("sql", "-e", `CREATE TABLE IF NOT EXISTS ${probeTable(st)} (k INT PRIMARY KEY, at TIMESTAMPTZ); SHOW ZONE CONFIGURATION FROM TABLE ${probeTable(st)}`))} — ${own}, so the probe's range has the same zone config as the data (${zoneText(st)}); a table in another database (defaultdb: 3 replicas by default) would answer for itself, not for ${cell(name)}. ${COCKROACH_CERTS} is the Helm chart's and operator's certificate directory in a CockroachDB pod; on a VM, use that node's client certificates.`;
    case "yugabytedb":
      return `- [ ] Probe table of ${cell(name)}: ${codeSpan(ysqlsh(name, "CREATE TABLE IF NOT EXISTS quorate_probe (k INT PRIMARY KEY, at TIMESTAMPTZ)"))} (TSERVER: a yb-tserver, YSQL on 5433) — ${own}, so the probe's tablets are placed like the data (${zoneText(st)}); if its tables use a tablespace of their own, create the probe table in it (\`TABLESPACE …\`).`;
    case "tidb":
      return `- [ ] Probe table of ${cell(name)}: ${codeSpan(tidbSql(`CREATE TABLE IF NOT EXISTS ${tidbProbeTable(st)} (k INT PRIMARY KEY, at DATETIME)`))} (TIDB: a TiDB server, 4000) — ${own}, so the probe's Region inherits the database's placement policy (${zoneText(st)}).`;
    default:
      return undefined;
  }
}

/** The probe table's DROP, for the engines Pre-flight created one in. */
function dropProbeTable(st: Store): string | undefined {
  switch (consensusEngine(st.engine?.value)) {
    case "cockroachdb":
      return cockroach("sql", "-e", `DROP TABLE IF EXISTS ${probeTable(st)}`);
    case "yugabytedb":
      return ysqlsh(st.name!.value, "DROP TABLE IF EXISTS quorate_probe");
    case "tidb":
      return tidbSql(`DROP TABLE IF EXISTS ${tidbProbeTable(st)}`);
    default:
      return undefined;
  }
}

/** TiDB's probe table in the store's own database, assumed to be named like the store. */
const tidbProbeTable = (st: Store) => `${mysqlName(st.name!.value)}.quorate_probe`;

/** The enacted quorums that keep writing on one side while members on another are cut off, with how long leadership takes to move. */
function leadershipMoves(r: RunbookInput): LeadershipMove[] {
  const out: LeadershipMove[] = [];
  for (const q of r.prediction.quorums) {
    if (!r.enactedQuorums.has(q.name)) continue;
    const writing = q.groups.find((y) => y.writes);
    const cutOff = q.groups.filter((y) => !y.writes).flatMap((y) => y.sites);
    if (!writing || !cutOff.length) continue;
    const owner = r.ctx.quorums.find((x) => x.label === q.name)?.owner;
    const electionMs = q.kind === "etcd" ? etcdTimers(owner as Cluster | undefined).election : undefined;
    const st = q.kind === "etcd" ? undefined : r.ctx.topology.storeByName.get(q.name.replace(/^store /, ""));
    const seconds = leadershipMoveSeconds(q.kind, electionMs, st?.engine?.value);
    const why =
      q.kind === "etcd"
        ? `up to about ${seconds} s: etcd's ${count(electionMs!)} ms election timeout, randomised up to twice that, then a vote`
        : q.kind === "galera"
          ? `up to about ${seconds} s: Galera's evs.suspect_timeout before the members cut off leave the primary component`
          : st && isCockroach(st)
            ? `a few seconds, up to ${seconds} s: the old leaseholder's liveness record expires, then another replica takes the lease`
            : isYugabyte(st?.engine?.value)
              ? `about ${seconds} s: YugabyteDB's tablet followers miss 6 Raft heartbeats of 500 ms, then elect a new leader`
              : isTidb(st?.engine?.value)
                ? `up to about ${seconds} s: TiKV's Raft election timeout, 10 ticks of 1 s randomised up to twice that, then a vote`
                : isMongo(st?.engine?.value) || isEtcdEngine(st?.engine?.value) || isConsul(st?.engine?.value)
                  ? // the engine's own detection and vote, in the words the record's Tiers use (review M130)
                    `about ${seconds} s: ${leaderElectionWords(st?.engine?.value)}`
                  : `a few seconds while a new leader is elected, up to ${seconds} s ${leaderElectionWords(st?.engine?.value)}`;
    out.push({ quorum: q.name, kind: q.kind, cutOff, majority: writing.sites, seconds, why, recommended: r.leaders[q.name] ?? null });
  }
  return out;
}

/** What a PD leader at a site cut off does to a TiDB store (review M130 addendum): every write stalls, not only the Regions led there. */
function pdStall(cutOff: readonly string[]): string {
  return `if PD's leader was at ${listOf(cutOff, "or")}, every write stalls, on the majority side too (PD hands out every transaction's timestamp, TSO), until its lease (${PD_LEADER_LEASE_SECONDS} s by default) runs out, the PD members left elect a leader through their embedded etcd and the TiDB servers find it — a stall the engine does not time`;
}

/** "(if it sits at fra — cut off in this run — the first writes after the cut wait up to about 2 s …)" for a Pre-flight leader line. */
function moveNote(rb: Rb, quorum: string): string {
  const m = rb.moves.find((x) => x.quorum === quorum);
  if (!m) return "";
  const st = m.kind === "etcd" ? undefined : rb.t.storeByName.get(quorum.replace(/^store /, ""));
  const one = singleLeader(st);
  return ` Why now: where ${one ? "it sits" : "they sit"} decides the first seconds of the run — a${one === "primary" ? " primary" : " leader"} at ${cell(listOf(m.cutOff, "or"))} (cut off here) must move to ${cell(listOf(m.majority))}, and writes there wait meanwhile (${cell(m.why)})${
    m.recommended && m.cutOff.includes(m.recommended)
      ? m.kind === "etcd"
        ? // simulate recommends no etcd leader: it reports the fastest placement, and etcd cannot be pinned (review M115)
          `; simulate's fastest placement is ${cell(m.recommended)}, but etcd's leader cannot be pinned: it is wherever the last election left it`
        : one
          ? `; with the placement simulate recommends (${cell(m.recommended)}) the ${one} is there, so expect it to move`
          : `; with the placement simulate recommends (${cell(m.recommended)}) every leader is there, so expect every one to move`
      : ""
  }${isTidb(st?.engine?.value) ? `; and ${cell(pdStall(m.cutOff))}` : ""}.`;
}

/** The Customer impact's stall: writes to a store wait while its leases leave the sites cut off. */
function stallText(rb: Rb, entry: string): string | undefined {
  const tr = rb.t.traffic.find((x) => x.name?.value === entry);
  const parts: string[] = [];
  for (const m of rb.moves) {
    if (m.kind === "etcd" || !tr?.dependsOn?.items.some((d) => `store ${d.value}` === m.quorum)) continue;
    const store = m.quorum.replace(/^store /, "");
    const rec = m.recommended;
    const st = rb.t.storeByName.get(store);
    const one = singleLeader(st);
    if (one) {
      // one leader for all its data: every write waits, or none (review M130)
      parts.push(
        `writes to ${cell(store)} stall right after the cut (${cell(m.why)}) — every write, if its ${one} was at ${cell(listOf(m.cutOff, "or"))}${
          rec && m.cutOff.includes(rec)
            ? ` — where the placement simulate recommends (${cell(rec)}) puts it`
            : rec
              ? ` (no stall, if it sits where simulate recommends: ${cell(rec)} — Pre-flight recorded where it is)`
              : ""
        }`,
      );
      continue;
    }
    const units = consensusWords(st?.engine?.value).units;
    parts.push(
      `writes to ${cell(store)} stall right after the cut (${cell(m.why)}) ${m.kind === "galera" ? `— every write, until the nodes at ${cell(listOf(m.cutOff))} leave the primary component` : `for the ${units} whose leaders were at ${cell(listOf(m.cutOff))}`}${
        m.kind === "galera"
          ? ""
          : rec && m.cutOff.includes(rec)
            ? ` — all of them, with the placement simulate recommends (${cell(rec)})`
            : rec
              ? ` (none, if every leader sits where simulate recommends: ${cell(rec)} — Pre-flight recorded where they are)`
              : ""
      }${isTidb(st?.engine?.value) ? `; and ${cell(pdStall(m.cutOff))}` : ""}`,
    );
  }
  return parts.length ? parts.join("; ") : undefined;
}

/** The moment the write probes count from: the cut is complete once the last host step has loaded its rules. */
function cutDone(rb: Rb): string {
  return rb.r.hostPlans.length ? "the cut is complete (the last host step)" : "the chaos manifests are applied";
}

/** What to check once a multi-writer store has exchanged the cut's writes, by how it resolves a row both sides changed. */
function afterMerge(replication: string | undefined, policy: string | undefined, engine: string | undefined): string {
  if (replication === "crdt") return "both sides hold the same rows and values (a count and a checksum per table on each)";
  const same = "both sides hold the same rows (a count and a checksum per table on each)";
  switch (policy) {
    case "manual":
      return `the rows both sides changed wait in the conflict queue: resolve every one before steering sends writes back, then ${same}`;
    case "event-sourcing":
      return `${same}, rebuilt from both sites' events`;
    default:
      return `${same}; every row both sides changed during the cut is in the store's conflict log${/bdr|pgd/i.test(engine ?? "") ? " (PGD: bdr.conflict_history)" : ""} with the change that was discarded — the writes this design gives up in a cut: the owners confirm they are tolerable`;
  }
}
