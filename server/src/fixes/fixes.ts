import { isMap, isScalar, isSeq, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from "yaml";
import type { Finding, FixHint } from "../model/finding";
import { freeRangeFor } from "../derive/cidr";
import { canonical } from "../math/cidr";
import { fiberFloorMs } from "../math/geo";
import { frozenSplit, total } from "../math/quorum";
import type { Quorum, TopologyContext } from "../derive/context";
import { bestCommit, writeBudget } from "../derive/latency";
import { writesOverBudget } from "../derive/writes";
import { survivesEverySiteLoss } from "../derive/siteloss";
import { largestMemberRtt } from "../derive/timers";
import { listText } from "../util/strings";
import { endOfLine, lineStartOf, type Span } from "../model/text";
import {
  appendSeqItems,
  blockItems,
  contentEndBefore,
  eol,
  insert,
  insertMapEntry,
  replace,
  spaces,
  type Edit,
  type NewItem,
} from "./edits";
import { stringScalar } from "./scalar";

export interface Fix {
  readonly title: string;
  readonly code: string;
  readonly edits: readonly Edit[];
  readonly preferred: boolean;
  /** the file the edits are of (a topology, from a finding in a deployment file); absent: the finding's own */
  readonly path?: string;
}

export interface FixInput {
  readonly text: string;
  readonly doc: Document;
  /** absent for Kubernetes manifests */
  readonly ctx?: TopologyContext;
}

export const ESTIMATE_COMMENT = "# estimate: measure before rollout";

function nodeAt(doc: Document, path: readonly (string | number)[]): Node | undefined {
  return (doc.getIn(path, true) as Node | undefined) ?? undefined;
}

function quorumAt(ctx: TopologyContext, span: Span): Quorum | undefined {
  return (
    ctx.quorums.find((q) => q.members.keySpan.start === span.start) ??
    ctx.quorums.find((q) => {
      const owner = q.owner as { etcd?: { keySpan: Span; span: Span } };
      return q.kind === "etcd" && owner.etcd && owner.etcd.keySpan.start <= span.start && span.start <= owner.etcd.span.end;
    })
  );
}

function membersPath(q: Quorum): (string | number)[] {
  return q.kind === "etcd" ? ["clusters", q.owner.index, "etcd", "members"] : ["stores", q.owner.index, "members"];
}

/**
 * Whether new member counts would push a consensus store's best commit latency — or the
 * application's writes at every leader placement (derive/writes) — past its budget where the
 * current counts do not: every fix that moves members (add, remove, rebalance, add a witness)
 * goes through setCounts, so none of them trades a quorum finding for rtt/commit-budget or
 * rtt/write-budget.
 */
function breaksCommitBudget(ctx: TopologyContext, q: Quorum, target: ReadonlyMap<string, number>): boolean {
  const budget = writeBudget(q);
  if (budget === undefined) return false;
  // each layout on its voters as designed (derive/latency designedVoters): a member that never votes acks nothing, in the target as now
  const over = (layout: ReadonlyMap<string, number>) =>
    (bestCommit(ctx, q, { layout })?.latency ?? 0) > budget || writesOverBudget(ctx, q, { layout });
  return over(target) && !over(q.counts);
}

/** Edits that set each member count in `target` (changing, adding or zeroing entries). */
function setCounts(input: FixInput, q: Quorum, target: ReadonlyMap<string, number>): Edit[] {
  const map = nodeAt(input.doc, membersPath(q));
  if (!map || !isMap(map) || (input.ctx && breaksCommitBudget(input.ctx, q, target))) return [];
  const edits: Edit[] = [];
  const present = new Set<string>();
  for (const item of (map as YAMLMap).items) {
    const pair = item as Pair;
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === undefined || !target.has(key) || present.has(key)) continue;
    present.add(key);
    const value = pair.value as Node | null;
    const now = q.counts.get(key) ?? 0;
    if (value?.range && target.get(key) !== now) edits.push(replace(value.range[0], value.range[1], String(target.get(key))));
  }
  for (const [site, count] of target) if (!present.has(site)) edits.push(insertMapEntry(input.text, map as YAMLMap, site, String(count)));
  return edits;
}

/** A site name that is not taken: `witness`, `witness-2`, … */
function freeSiteName(ctx: TopologyContext, base = "witness"): string {
  if (!ctx.topology.siteByName.has(base)) return base;
  for (let i = 2; ; i++) if (!ctx.topology.siteByName.has(`${base}-${i}`)) return `${base}-${i}`;
}

/** Appends to a top-level list, creating the list at the end of the document when absent. */
function appendTopLevel(input: FixInput, key: string, items: readonly NewItem[]): Edit | undefined {
  const list = nodeAt(input.doc, [key]);
  if (list && isSeq(list) && (list as YAMLSeq).items.length) return appendSeqItems(input.text, list as YAMLSeq, items);
  const root = input.doc.contents;
  if (!root || !isMap(root) || (root as YAMLMap).flow) return undefined;
  const nl = eol(input.text);
  const lines = blockItems(items, 2, nl);
  if (list) {
    // `key: []` or `key:` with nothing: replace the empty value with a block list. Any other
    // value (a mapping while typing, a scalar) is the schema's finding: no fix writes over it.
    if (!isSeq(list) && !(isScalar(list) && (list.value === null || list.value === ""))) return undefined;
    const pair = (root as YAMLMap).items.find(
      (p) => isScalar((p as Pair).key) && String(((p as Pair).key as { value: unknown }).value) === key,
    ) as Pair | undefined;
    const keyEnd = (pair!.key as Node).range![1];
    const valueEnd = (list as Node).range ? contentEndBefore(input.text, (list as Node).range![1]) : keyEnd;
    const colon = input.text.indexOf(":", keyEnd);
    return replace(colon, Math.max(colon + 1, valueEnd), `:${nl}${lines}`);
  }
  return insertMapEntry(input.text, root as YAMLMap, key, nl + lines);
}

/** Members after "Add witness site": two sites are evened out (2+2 → 2+2+1, 3+2 → 2+2+1); otherwise one member is added. */
function witnessCounts(q: Quorum, witness: string): Map<string, number> {
  const sites = [...q.counts.keys()];
  const out = new Map(q.counts);
  if (sites.length === 2) {
    const half = Math.floor(total(q.counts) / 2);
    out.set(sites[0], half);
    out.set(sites[1], half);
  }
  out.set(witness, (out.get(witness) ?? 0) + 1);
  return out;
}

/** The largest valid RTT between member sites: an `rttMs` ≤ 0 is the schema's finding, never an estimate to copy. */
function maxMemberRtt(ctx: TopologyContext, q: Quorum): number | undefined {
  const max = largestMemberRtt(ctx, q).ms;
  return max > 0 ? max : undefined;
}

/**
 * Where "Add witness site" puts the tie-breaker and the member counts it sets: an existing site
 * with no member and a link to every member site, the nearest first (one farther than the
 * members already are from each other would raise every RTT-derived requirement — timers,
 * commit latency — so it is passed over for a new witness site). Undefined when the result
 * would still not survive every single-site loss. The decision record's considered options
 * read it, so the option it shows is exactly the fix's layout.
 */
export function witnessPlan(ctx: TopologyContext, q: Quorum): { site: string; isNew: boolean; counts: Map<string, number> } | undefined {
  const t = ctx.topology;
  const memberSites = [...q.counts.keys()];
  const limit = maxMemberRtt(ctx, q) ?? Number.POSITIVE_INFINITY;
  let best: { site: string; worst: number } | undefined;
  for (const s of t.siteByName.keys()) {
    if (q.counts.has(s)) continue;
    const rtts = memberSites.map((m) => ctx.rtt(s, m));
    if (rtts.some((r) => r === undefined)) continue;
    const worst = Math.max(...(rtts as number[]));
    if (worst <= limit && (!best || worst < best.worst)) best = { site: s, worst };
  }
  const site = best?.site ?? freeSiteName(ctx);
  const counts = witnessCounts(q, site);
  if (!survivesEverySiteLoss(counts) || frozenSplit(counts)) return undefined;
  return { site, isNew: !best, counts };
}

/** "Rebalance members": the same total spread as evenly as the member sites allow; undefined when that still loses a site's worth. */
export function rebalancedCounts(q: Quorum): Map<string, number> | undefined {
  const sites = [...q.counts.keys()];
  const n = total(q.counts);
  const target = new Map<string, number>();
  sites.forEach((s, i) => {
    target.set(s, Math.floor(n / sites.length) + (i < n % sites.length ? 1 : 0));
  });
  return survivesEverySiteLoss(target) ? target : undefined;
}

/**
 * What "Add witness site" does, all of it, in its title: which site, any member moved there from
 * another site, and the RTT its new links are given (copied from the members' largest, an
 * estimate the edit marks in a comment).
 */
function witnessTitle(ctx: TopologyContext, q: Quorum): string {
  const plan = witnessPlan(ctx, q)!;
  const moved = [...q.counts]
    .filter(([site, n]) => (plan.counts.get(site) ?? 0) < n)
    .map(([site, n]) => `${n - (plan.counts.get(site) ?? 0)} from ${site}`);
  const rtt = plan.isNew ? maxMemberRtt(ctx, q) : undefined;
  return [
    plan.isNew ? `Add witness site ${plan.site}` : `Add witness site: a member at ${plan.site}`,
    moved.length ? `moving ${moved.length === 1 && moved[0].startsWith("1 ") ? "a member" : "members"} there (${moved.join(", ")})` : "",
    rtt !== undefined ? `links at ${rtt} ms (an estimate: measure it)` : "",
  ]
    .filter(Boolean)
    .join(", ");
}

function addWitness(input: FixInput, ctx: TopologyContext, q: Quorum): Edit[] | undefined {
  const plan = witnessPlan(ctx, q);
  if (!plan) return undefined;
  const memberSites = [...q.counts.keys()];
  const { site: witness, counts: target } = plan;
  const best = !plan.isNew;
  const edits = setCounts(input, q, target);
  if (!best) {
    const site = appendTopLevel(input, "sites", [
      { block: [`name: ${witness}`, "role: witness"], flow: `{ name: ${witness}, role: witness }` },
    ]);
    if (!site) return undefined;
    edits.push(site);
    const rtt = maxMemberRtt(ctx, q);
    if (rtt !== undefined) {
      const items: NewItem[] = memberSites.map((m) => ({
        block: [`between: [${witness}, ${m}]`, `rttMs: ${rtt} ${ESTIMATE_COMMENT}`],
        flow: `{ between: [${witness}, ${m}], rttMs: ${rtt} }`,
      }));
      const links = appendTopLevel(input, "links", items);
      if (!links) return undefined;
      edits.push(links);
    }
  }
  return edits;
}

function rebalanceMembers(input: FixInput, q: Quorum): Edit[] | undefined {
  const target = rebalancedCounts(q);
  return target ? setCounts(input, q, target) : undefined;
}

function setTimers(input: FixInput, q: Quorum, heartbeat: number, election: number): Edit[] {
  const etcd = nodeAt(input.doc, ["clusters", q.owner.index, "etcd"]);
  if (!etcd || !isMap(etcd)) return [];
  const edits: Edit[] = [];
  const inserts: [string, number][] = [];
  for (const [key, value] of [
    ["heartbeatMs", heartbeat],
    ["electionTimeoutMs", election],
  ] as const) {
    const node = (etcd as YAMLMap).get(key, true) as Node | undefined;
    if (node?.range) edits.push(replace(node.range[0], node.range[1], String(value)));
    else inserts.push([key, value]);
  }
  if (inserts.length) {
    const first = insertMapEntry(input.text, etcd as YAMLMap, inserts[0][0], String(inserts[0][1]));
    const rest = inserts
      .slice(1)
      .map(([k, v]) => insertMapEntry(input.text, etcd as YAMLMap, k, String(v)).text)
      .join("");
    edits.push({ ...first, text: first.text + rest });
  }
  return edits;
}

function addLink(input: FixInput, ctx: TopologyContext, a: string, b: string): Edit[] | undefined {
  const sa = ctx.topology.siteByName.get(a);
  const sb = ctx.topology.siteByName.get(b);
  let rtt = 10;
  if (sa?.lat && sa.lon && sb?.lat && sb.lon)
    rtt = Math.max(1, Math.ceil(1.5 * fiberFloorMs({ lat: sa.lat.value, lon: sa.lon.value }, { lat: sb.lat.value, lon: sb.lon.value })));
  const e = appendTopLevel(input, "links", [
    { block: [`between: [${a}, ${b}]`, `rttMs: ${rtt} ${ESTIMATE_COMMENT}`], flow: `{ between: [${a}, ${b}], rttMs: ${rtt} }` },
  ]);
  return e && [e];
}

/** Deletes whole lines of [start, end) but keeps every comment on them, as comment lines. */
function deleteLinesKeepingComments(text: string, start: number, end: number): Edit {
  const from = lineStartOf(text, start);
  // a block item's range may end at the start of the next item's line: that line stays
  let to = endOfLine(text, Math.max(start, contentEndBefore(text, end) - 1));
  const nl = eol(text);
  if (text.startsWith(nl, to)) to += nl.length;
  const kept = text
    .slice(from, to)
    .split(/\r?\n/)
    .map((line) => {
      const hash = line.search(/(^|\s)#/);
      return hash < 0 ? undefined : `${spaces(line.search(/\S/))}${line.slice(hash).trimStart()}`;
    })
    .filter((l): l is string => l !== undefined);
  return replace(from, to, kept.map((l) => l + nl).join(""));
}

/**
 * One writer kept; the others become replicas — they keep their copy of the data (dropping them
 * would leave every copy at the kept site: losing it would leave only backups, an unbounded RPO).
 */
function singleWriter(input: FixInput, f: Finding, site: string): { edits: Edit[]; title?: string } {
  const store = input.ctx?.topology.stores.find((s) => s.writers?.keySpan.start === f.span.start);
  if (!store) return { edits: [] };
  const seq = nodeAt(input.doc, ["stores", store.index, "writers"]);
  if (!seq || !isSeq(seq)) return { edits: [] };
  const items = (seq as YAMLSeq).items as Node[];
  const value = (item: Node) => (isScalar(item) ? String(item.value) : undefined);
  const replicas = new Set((store.replicas?.items ?? []).map((r) => r.value));
  const demoted = [...new Set(items.map(value).filter((v): v is string => v !== undefined && v !== site && !replicas.has(v)))];
  const edits: Edit[] = [];
  if ((seq as YAMLSeq).flow) edits.push(replace(seq.range![0], seq.range![1], `[${site}]`));
  else {
    let kept = false;
    for (const item of items) {
      if (value(item) === site && !kept) kept = true;
      else edits.push(deleteLinesKeepingComments(input.text, item.range![0], item.range![1]));
    }
  }
  if (!demoted.length) return { edits };
  const list = nodeAt(input.doc, ["stores", store.index, "replicas"]);
  const map = nodeAt(input.doc, ["stores", store.index]);
  if (list && isSeq(list) && list.items.length)
    edits.push(
      appendSeqItems(
        input.text,
        list as YAMLSeq,
        demoted.map((x) => ({ block: [x], flow: x })),
      ),
    );
  else if (list && isSeq(list)) edits.push(replace(list.range![0], list.range![1], `[${demoted.join(", ")}]`));
  else if (!list && map && isMap(map)) edits.push(insertMapEntry(input.text, map, "replicas", `[${demoted.join(", ")}]`));
  else return { edits: [] };
  return {
    edits,
    title: `Keep a single writer (\`${site}\`); ${listText(demoted.map((x) => `\`${x}\``))} become${demoted.length === 1 ? "s a replica" : " replicas"}`,
  };
}

function removeExport(input: FixInput, f: Finding): Edit[] {
  const exp = input.ctx?.topology.exports.find((e) => e.namespace?.span.start === f.span.start);
  if (!exp) return [];
  const seq = nodeAt(input.doc, ["exports"]) as YAMLSeq | undefined;
  const item = seq?.items[exp.index] as Node | undefined;
  if (!seq || !item?.range) return [];
  if (seq.flow) {
    const items = seq.items as Node[];
    if (items.length === 1) return [replace(seq.range![0], seq.range![1], "[]")];
    const i = exp.index;
    return i === 0 ? [replace(item.range![0], items[1].range![0], "")] : [replace(items[i - 1].range![1], item.range![1], "")];
  }
  if (seq.items.length === 1) {
    // the list would be empty: keep it valid as `exports: []`
    const pair = (input.doc.contents as YAMLMap).items.find(
      (p) => isScalar((p as Pair).key) && String(((p as Pair).key as { value: unknown }).value) === "exports",
    ) as Pair;
    const colon = input.text.indexOf(":", (pair.key as Node).range![1]);
    return [deleteLinesKeepingComments(input.text, item.range[0], item.range[1]), insert(colon + 1, " []")];
  }
  return [deleteLinesKeepingComments(input.text, item.range[0], item.range[1])];
}

function rebalanceWeights(input: FixInput, f: Finding, weights: readonly number[]): Edit[] {
  const tr = input.ctx?.topology.traffic.find((t) => t.backends.some((b) => b.capacityRps?.span.start === f.span.start));
  if (!tr) return [];
  const edits: Edit[] = [];
  tr.backends.forEach((b, i) => {
    const map = nodeAt(input.doc, ["traffic", tr.index, "backends", i]);
    if (!map || !isMap(map)) return;
    if (b.weight) edits.push(replace(b.weight.span.start, b.weight.span.end, String(weights[i])));
    else edits.push(insertMapEntry(input.text, map as YAMLMap, "weight", String(weights[i])));
  });
  return edits;
}

function setField(input: FixInput, args: Extract<FixHint, { kind: "set-field" }>["args"]): Edit[] {
  return setAt(input, ["clusters", args.cluster, args.block], args.key, String(args.value));
}

/**
 * `key` and its value taken out of the map at `path`: in a block map its lines go (their comments
 * kept), in a flow map the entry and one comma beside it. Nothing when the key is absent or it is
 * the map's only entry (an empty block map would read as null).
 */
function removeKey(input: FixInput, path: readonly (string | number)[], key: string): Edit[] {
  const map = nodeAt(input.doc, path);
  if (!map || !isMap(map) || map.items.length < 2) return [];
  const items = (map as YAMLMap).items as Pair[];
  const i = items.findIndex((p) => isScalar(p.key) && String((p.key as { value: unknown }).value) === key);
  if (i < 0) return [];
  const range = (p: Pair): [number, number] | undefined => {
    const k = (p.key as Node | null)?.range;
    const v = (p.value as Node | null)?.range;
    return k ? [k[0], v ? v[1] : k[1]] : undefined;
  };
  const own = range(items[i]);
  if (!own) return [];
  if (!(map as YAMLMap).flow) return [deleteLinesKeepingComments(input.text, own[0], own[1])];
  // flow: `{ a: 1, b: 2 }` — the comma after the entry (or, for the last, the one before it) goes with it
  const next = items[i + 1] && range(items[i + 1]);
  if (next) return [replace(own[0], next[0], "")];
  const prev = range(items[i - 1]);
  return prev ? [replace(prev[1], own[1], "")] : [];
}

/** `key: value` in the map at `path`: the existing scalar replaced (its comment kept), or a new entry. */
function setAt(input: FixInput, path: readonly (string | number)[], key: string, value: string): Edit[] {
  const map = nodeAt(input.doc, path);
  if (!map || !isMap(map)) return [];
  const existing = map.get(key, true) as Node | undefined;
  if (existing?.range) return [replace(existing.range[0], existing.range[1], value)];
  return [insertMapEntry(input.text, map, key, value)];
}

/** Turns one finding's fix hints into text edits. Hints that cannot apply here yield nothing. */
export function fixesFor(input: FixInput, f: Finding): Fix[] {
  const out: Fix[] = [];
  for (const hint of f.fixes ?? []) {
    const r = editsOf(input, f, hint);
    if (r?.edits?.length)
      out.push({
        title: r.title ?? hint.title,
        code: f.code,
        edits: r.edits,
        preferred: !!hint.preferred,
        ...(r.path !== undefined ? { path: r.path } : {}),
      });
  }
  return out;
}

/**
 * One hint's edits; with `title` when the edits do more than the hint's title can know, and
 * `path` when they are of another file than the finding's.
 */
function editsOf(input: FixInput, f: Finding, hint: FixHint): { edits?: Edit[]; title?: string; path?: string } | undefined {
  const ctx = input.ctx;
  switch (hint.kind) {
    case "replace": {
      const text = hint.string ? stringScalar(hint.text, input.text.slice(hint.span.start, hint.span.end)) : hint.text;
      return { edits: [replace(hint.span.start, hint.span.end, text)] };
    }
    case "replace-all":
      // several scalars of one value (a block list of CIDRs), each replaced in place
      return { edits: hint.args.edits.map((e) => replace(e.start, e.end, e.text)) };
    case "replace-in":
      // a fix in another file: drift's "Adopt the deployed value in the design"
      return { edits: hint.args.edits.map((e) => replace(e.start, e.end, e.text)), path: hint.args.path };
    case "free-range": {
      const free = ctx && freeRangeFor(ctx, f.span.start);
      if (!free) return undefined;
      const text = canonical(free);
      return { edits: [replace(f.span.start, f.span.end, text)], title: `Use free range \`${text}\`` };
    }
    case "declare-site": {
      if (!ctx) return undefined;
      // `null`, `true` or `123` are valid DNS labels but read back as YAML null, bool or number: quoted then
      const text = stringScalar(hint.args.name);
      const e = appendTopLevel(input, "sites", [{ block: [`name: ${text}`], flow: `{ name: ${text} }` }]);
      return { edits: e && [e] };
    }
    case "member-delta": {
      const q = ctx && quorumAt(ctx, f.span);
      if (!q) return undefined;
      const target = new Map(q.counts);
      target.set(hint.args.site, (target.get(hint.args.site) ?? 0) + hint.args.delta);
      return { edits: setCounts(input, q, target) };
    }
    case "add-witness": {
      // objective/* findings sit on the objective, not the members: they name their store
      const store = hint.args ? ctx?.topology.storeByName.get(hint.args.store) : undefined;
      const q = ctx && (store ? ctx.quorumOf(store) : quorumAt(ctx, f.span));
      const edits = q && addWitness(input, ctx!, q);
      return { edits, title: q && edits?.length ? witnessTitle(ctx!, q) : undefined };
    }
    case "rebalance-members": {
      const q = ctx && quorumAt(ctx, f.span);
      return { edits: q && rebalanceMembers(input, q) };
    }
    case "set-timers": {
      const q = ctx && quorumAt(ctx, f.span);
      return { edits: q && setTimers(input, q, hint.args.heartbeatMs, hint.args.electionTimeoutMs) };
    }
    case "add-link":
      return { edits: ctx && addLink(input, ctx, hint.args.a, hint.args.b) };
    case "single-writer":
      return singleWriter(input, f, hint.args.site);
    case "remove-export":
      return { edits: removeExport(input, f) };
    case "rebalance-weights":
      return { edits: rebalanceWeights(input, f, hint.args.weights) };
    case "set-field":
      return { edits: setField(input, hint.args) };
    case "set-at":
      return { edits: setAt(input, hint.args.path, hint.args.key, hint.args.value) };
    case "remove-key":
      return { edits: removeKey(input, hint.args.path, hint.args.key) };
    default:
      // a new FixHint kind without a case here is a build error
      return hint satisfies never;
  }
}

/** "Disable CODE for this line": a `# quorate-disable-next-line CODE` comment above the finding's line. */
export function disableFix(text: string, f: Finding): Fix {
  const ls = lineStartOf(text, f.span.start);
  const indent = /^[ \t]*/.exec(text.slice(ls))![0];
  const nl = eol(text);
  // on a `- key:` line the comment aligns with the dash
  return {
    title: `Disable ${f.code} for this line`,
    code: f.code,
    preferred: false,
    edits: [insert(ls, `${indent}# quorate-disable-next-line ${f.code}${nl}`)],
  };
}
