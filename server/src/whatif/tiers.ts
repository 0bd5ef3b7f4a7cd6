/**
 * The decision record's Tiers (record.md, availability.md "Where it shows"): seed 001's
 * "translate 'zero downtime everywhere' into concrete tiers — RTO for ingress, RTO for
 * stateless workloads, RPO for each datastore class, and maximum acceptable conflict rate",
 * answered from the design: each tier's declared objective beside the figure the design gives,
 * and whether it is met (the same judgement as the objective/* findings). Pure.
 */
import {
  type EntityFigures,
  figureText,
  MINUTES_PER_YEAR,
  RTO_DETECTION,
  reportOf,
  rtoEstimate,
  rtoMissing,
  storeRpo,
} from "../availability/figures";
import type { Store, Traffic } from "../model/topology";
import { type ObjectiveJudgement, type ObjectiveKey, objectiveJudgements } from "../rules/index";
import { objectiveText } from "../availability/render";
import { minutes, percentOfTime, sig, table } from "../util/format";
import type { RecordContext } from "./record";

type Row = (string | { raw: string })[];

const NONE = "none declared";
const NO_OBJECTIVE = "no objective";

/** "met", "**not met**", "cannot be measured" or "no objective". */
function status(j: ObjectiveJudgement | undefined): string | { raw: string } {
  if (!j) return NO_OBJECTIVE;
  return j.met === null ? "cannot be measured" : j.met ? "met" : { raw: "**not met**" };
}

/** Why a judgement could not be measured: its finding's message without the entity label. */
const unmeasured = (j: ObjectiveJudgement) =>
  j.finding ? j.finding.message.slice(j.label.length + 2) : "cannot be measured (see objective/unmeasurable)";

function availabilityCell(r: RecordContext, f: EntityFigures | undefined, j: ObjectiveJudgement | undefined): string {
  if (f) return figureText(f);
  if (j && j.met === null) return unmeasured(j);
  const report = reportOf(r.ctx);
  if (report.invalid.length) return `not computed: availability must be in (0, 1] — ${report.invalid.join("; ")}`;
  return report.declared ? "not computed" : "not computed: no site or link declares an availability";
}

/** The Tiers section: one table, rows by tier, then what the figures assume. */
// long: not yet split (owner w22, #19's 80-line rule)
export function tiersSection(r: RecordContext): string[] {
  const t = r.ctx.topology;
  const report = reportOf(r.ctx);
  const judged = objectiveJudgements(r.ctx);
  const judgement = (owner: Store | Traffic, key: ObjectiveKey) => judged.find((j) => j.owner === owner && j.key === key);
  const figuresOf = (owner: object) => report.figures.find((f) => f.owner === owner);
  const rows: Row[] = [];
  const objectiveCell = (j: ObjectiveJudgement | undefined) => (j ? objectiveText(j) : NONE);
  const survives = (owner: Store | Traffic, tier: string) => {
    for (const j of judged)
      if (j.owner === owner && j.key.startsWith("survive "))
        rows.push([
          tier,
          j.label,
          `survives ${objectiveText(j)}`,
          j.met === null ? unmeasured(j) : j.met ? "every such scenario keeps it working" : (j.detail ?? "fails"),
          status(j),
        ]);
  };

  for (const tr of t.traffic) {
    if (!tr.name) continue;
    const name = `traffic ${tr.name.value}`;
    const rto = rtoEstimate(tr);
    const jr = judgement(tr, "rtoSeconds");
    const rtoCell = rto ? `${sig(rto.seconds)} s (${rto.terms})` : jr?.met === null ? unmeasured(jr) : `not estimated: ${rtoMissing(tr)}`;
    rows.push(["Ingress RTO", name, objectiveCell(jr), rtoCell, status(jr)]);
    const ja = judgement(tr, "availability");
    rows.push(["Ingress availability", name, objectiveCell(ja), availabilityCell(r, figuresOf(tr), ja), status(ja)]);
    survives(tr, "Ingress survival");
    rows.push(["Stateless workloads RTO", `backends of ${tr.name.value}`, objectiveCell(jr), ...statelessRto(r, tr, rtoCell, jr)]);
  }

  for (const st of t.stores) {
    const rep = st.replication?.value;
    if (!st.name || !rep) continue;
    const cls = rep === "async" && st.conflictResolution ? `async, ${st.conflictResolution.value} resolution` : rep;
    const name = `store ${st.name.value}`;
    const owner = r.ctx.quorumOf(st)?.owner ?? st;
    const jp = judgement(st, "rpoSeconds");
    const rpo = storeRpo(st);
    rows.push([
      `RPO (${cls})`,
      name,
      objectiveCell(jp),
      rpo === null
        ? "not assessed: declare maxLagSeconds"
        : rpo === Infinity
          ? "unbounded (the lag buffer overflows: a longer lag forces a resync)"
          : rpo === 0
            ? rep === "galera"
              ? "0 s (a commit waits until every node of the primary component has certified it)"
              : "0 s (a write is acknowledged once a majority has it)"
            : `${sig(rpo)} s (maxLagSeconds)`,
      status(jp),
    ]);
    const ja = judgement(st, "availability");
    rows.push([`Writes availability (${cls})`, name, objectiveCell(ja), availabilityCell(r, figuresOf(owner), ja), status(ja)]);
    const jc = judgement(st, "conflictProbability");
    const writers = new Set((st.writers?.items ?? []).map((w) => w.value));
    if ((rep === "async" || rep === "crdt") && (writers.size > 1 || jc)) {
      const f = figuresOf(st);
      rows.push([
        `Conflict rate (${cls})`,
        name,
        objectiveCell(jc),
        f && f.conflictProbability !== null
          ? `writers partitioned ${percentOfTime(f.conflictProbability)} of the time (${minutes(f.conflictProbability * MINUTES_PER_YEAR)} a year)`
          : jc?.met === null
            ? unmeasured(jc)
            : "not computed",
        status(jc),
      ]);
    }
    survives(st, "Datastore survival");
  }

  for (const q of r.quorums)
    if (q.kind === "etcd") {
      const f = figuresOf(q.owner);
      rows.push([
        "Control-plane writes (etcd)",
        q.label,
        "— (objectives go on stores and traffic entries)",
        f ? figureText(f) : availabilityCell(r, undefined, undefined),
        NO_OBJECTIVE,
      ]);
    }

  const out = ["## Tiers", ""];
  if (!rows.length) return [...out, "No store or traffic entry is declared: there is no tier to state.", ""];
  const missing = rows.filter((x) => x[4] === NO_OBJECTIVE).length;
  out.push(
    'What "zero downtime" means for this design, tier by tier: the objective its owners declared (`objectives` on each store and traffic entry) beside what the design gives, computed from the declared availability of its sites and links (`quorate availability` shows every figure, its cut sets and how it was computed).',
    "",
    table(["tier", "for", "objective", "this design", "status"], rows),
    "",
  );
  if (missing)
    out.push(
      `- ${missing} tier${missing === 1 ? " has" : "s have"} no objective: the figure is what the design gives, and nothing holds it there.`,
    );
  out.push(
    ...report.assumptions.map((a) => `- Assumed: ${a}.`),
    "- RTO is the worst case for clients that honour the TTL (resolvers and clients that ignore or clamp TTLs take longer); anycast resets established connections.",
    `- RTO: ${RTO_DETECTION}.`,
    "- Conflict rate is the time writers cannot reach each other: a lower bound on conflict exposure, since writers also conflict while connected, within their lag.",
    "",
  );
  return out;
}

/**
 * Stateless workloads behind an entry recover once clients are steered to backends that can
 * serve them: the ingress RTO when every single-site loss leaves the entry served, else not
 * bounded by steering (the first loss that overloads, errors or leaves it unserved).
 */
function statelessRto(
  r: RecordContext,
  tr: Traffic,
  rtoCell: string,
  jr: ObjectiveJudgement | undefined,
): [string, string | { raw: string }] {
  const failing = r.single
    .map((x) => ({ x, res: x.traffic.find((y) => y.name === tr.name!.value) }))
    .find((y) => y.res && y.res.outcome !== "served");
  if (!failing) return [`as ingress: ${rtoCell}; every single-site loss leaves enough capacity`, status(jr)];
  const why =
    failing.res!.outcome === "overloaded"
      ? "the remaining backends are overloaded (capacity/site-loss)"
      : failing.res!.outcome === "errors"
        ? "backends answer with errors (a store they depend on stops writes)"
        : "no backend remains";
  // the RTO objective fails here by what is left after the loss, not by steering: say which
  const cause =
    failing.res!.outcome === "overloaded"
      ? "by capacity, not steering (`capacity/site-loss`)"
      : failing.res!.outcome === "errors"
        ? "by writes stopping, not steering"
        : "no backend remains";
  return [`not bounded by steering: ${failing.x.name} — ${why}`, jr ? { raw: `**not met** — ${cause}` } : NO_OBJECTIVE];
}
