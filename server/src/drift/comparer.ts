// The comparer: one Check (a design field against a deployed key) becomes the hover's row and,
// where they disagree, a finding with its fixes. Kind-independent: kinds/ says what to compare.
import { isScalar, isSeq, visit, type Document, type Node, type Scalar } from "yaml";
import { canonical, parseCidr } from "../math/cidr";
import type { Finding, FixHint } from "../model/finding";
import type { Span } from "../model/text";
import type { Cluster } from "../model/topology";
import { finding } from "../rules/context";
import type { Check } from "./check";
import { asBool, asNumber, cidrTexts, type Deployed } from "./deployed";
import type { Comparison, DriftInput } from "./types";

/** How a message cites a place in the topology: `file.yaml:12`. */
export type Where = (span: Span) => string;

export const setText = (xs: readonly string[]) => xs.join(", ") || "none";
const canonSet = (texts: readonly string[]) =>
  [
    ...new Set(
      texts.map((t) => {
        const c = parseCidr(t);
        return c ? canonical(c) : t;
      }),
    ),
  ].sort();
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** A scalar written as the node was: quoted the same way, plain when that reads back as the same string. */
function scalarText(node: Node | undefined, text: string, numeric: boolean): string {
  const type = node && isScalar(node) ? (node as Scalar).type : undefined;
  if (type === "QUOTE_DOUBLE") return JSON.stringify(text);
  if (type === "QUOTE_SINGLE") return `'${text.replace(/'/g, "''")}'`;
  if (numeric || /^[A-Za-z0-9_./:-][A-Za-z0-9_./:, -]*$/.test(text)) return text;
  return JSON.stringify(text);
}

/** Edits that write `texts` (CIDRs) into a deployed or design value: a string, a flow list, or a block list item by item. */
function cidrEdits(node: Node | undefined, texts: readonly string[]): { start: number; end: number; text: string }[] | undefined {
  if (!node?.range || !texts.length) return undefined;
  if (isScalar(node)) return [{ start: node.range[0], end: node.range[1], text: scalarText(node, texts.join(","), false) }];
  if (isSeq(node)) {
    const items = node.items as Node[];
    if (node.flow)
      return [{ start: node.range[0], end: node.range[1], text: `[${texts.map((t) => scalarText(undefined, t, false)).join(", ")}]` }];
    if (items.length === texts.length && items.every((it) => isScalar(it) && it.range))
      return items.map((it, i) => ({ start: it.range![0], end: it.range![1], text: scalarText(it, texts[i], false) }));
  }
  return undefined;
}

/** The value node of the pair whose key starts at `keyStart` (a design field as the model read it). */
function pairValueAt(doc: Document, keyStart: number): Node | undefined {
  let found: Node | undefined;
  visit(doc, {
    Pair(_, pair) {
      const k = pair.key as Node | null;
      if (k?.range && k.range[0] === keyStart) {
        found = (pair.value as Node | null) ?? undefined;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * One field compared: the hover's row, and when the file disagrees with the design a finding in
 * the deployment file with two fixes (set the deployed value, or adopt it in the design).
 */
export function compareCheck(
  ch: Check,
  path: string,
  input: DriftInput,
  where: Where,
): { comparison: Comparison; finding?: Finding } | undefined {
  if (ch.design === undefined) return undefined;
  const c = ch.cluster;
  const name = c.name!.value;
  const raw = ch.deployedValue !== undefined ? ch.deployedValue : ch.dep.present ? ch.dep.value : ch.deployedDefault;
  if (raw === undefined && !ch.dep.present && ch.deployedDefault === undefined && ch.kind !== "scalar") return undefined;
  const { agree, designText, deployedText } = judged(ch, raw);
  const designSpan = ch.designAt?.span ?? c.name!.span;
  const shown = ch.dep.present
    ? deployedText
    : ch.deployedDefault !== undefined
      ? `absent (${ch.deployedDefaultBy ?? "default"} ${defaultText(ch, deployedText)}${ch.deployedDefaultNote ? `, ${ch.deployedDefaultNote}` : ""})`
      : "absent";
  const comparison: Comparison = {
    cluster: name,
    code: ch.code,
    field: ch.field,
    key: ch.dep.key,
    design: designText,
    deployed: shown,
    agree,
    file: path,
    span: ch.dep.span,
    designSpan,
  };
  if (agree) return { comparison };
  const designSays =
    ch.field === "name"
      ? `${where(designSpan)} names the cluster ${designText}`
      : ch.designAt
        ? `${where(designSpan)} gives ${name} ${ch.field} ${designText}`
        : `the design leaves ${name}'s ${ch.field} at its default ${designText} (${where(designSpan)})`;
  const fixes = [...deployedFix(ch, designText), ...designFix(ch, raw, deployedText, input)];
  return {
    comparison,
    finding: finding(ch.code, ch.dep.span, `\`${ch.dep.key}\` is ${shown} here, but ${designSays}`, {
      fixes,
      related: [{ span: designSpan, message: `${name} ${ch.field} in the design: ${designText}`, path: input.path }],
    }),
  };
}

/**
 * A default as "absent (…)" prints it: a word in backticks, so Cilium's cluster name reads
 * "absent (Cilium's default `default`)", never "default default" (review M136).
 */
const defaultText = (ch: Check, text: string) => (ch.kind === "scalar" ? `\`${text}\`` : text);

/** A deployed value as YAML spells it: `.nan` and `.inf` said as what they are, not JavaScript's NaN (audit A12). */
const valueText = (v: unknown) =>
  typeof v === "number" && !Number.isFinite(v)
    ? Number.isNaN(v)
      ? '.nan (YAML\'s "not a number")'
      : `${v < 0 ? "-" : ""}.inf (YAML's ${v < 0 ? "negative " : ""}infinity)`
    : String(v);

/** Whether the deployed value agrees with the design, and both as the messages print them. */
function judged(ch: Check, raw: unknown): { agree: boolean; designText: string; deployedText: string } {
  if (ch.kind === "cidrs" || ch.kind === "names") {
    const want = ch.kind === "cidrs" ? canonSet(ch.design as string[]) : [...new Set(ch.design as string[])].sort();
    const have = ch.kind === "cidrs" ? canonSet(cidrTexts(raw)) : [...new Set(cidrTexts(raw))].sort();
    return { agree: sameSet(want, have), designText: setText(want), deployedText: setText(have) };
  }
  const agree = ch.kind === "number" ? asNumber(raw) === ch.design : ch.kind === "bool" ? asBool(raw) === ch.design : raw === ch.design;
  return { agree, designText: String(ch.design), deployedText: raw === undefined ? "absent" : valueText(raw) };
}

/** "Set to <design>": the deployment file's value replaced by the design's. */
function deployedFix(ch: Check, designText: string): FixHint[] {
  if (ch.fixable === false || !ch.dep.present || !ch.dep.node) return [];
  const node = ch.dep.node;
  const edits =
    ch.kind === "cidrs" || ch.kind === "names"
      ? cidrEdits(node, ch.design as string[])
      : isScalar(node) && node.range
        ? [
            {
              start: node.range[0],
              end: node.range[1],
              text: scalarText(node, (ch.dep.write ?? String)(designText), ch.kind === "number" && !ch.dep.write),
            },
          ]
        : undefined;
  return edits ? [{ kind: "replace-all", title: `Set to \`${designText}\``, args: { edits }, preferred: true }] : [];
}

/** "Adopt <deployed> in the design": the design's value replaced by the deployed one (an edit of the topology file). */
function designFix(ch: Check, raw: unknown, deployedText: string, input: DriftInput): FixHint[] {
  const designNode =
    ch.dep.present && ch.adopt !== false && ch.designAt?.keySpan ? pairValueAt(input.doc, ch.designAt.keySpan.start) : undefined;
  if (!designNode) return [];
  const edits =
    ch.kind === "cidrs"
      ? cidrEdits(designNode, cidrTexts(raw))
      : isScalar(designNode) && designNode.range && raw !== undefined
        ? [
            {
              start: designNode.range[0],
              end: designNode.range[1],
              text: scalarText(designNode, String(ch.kind === "number" ? asNumber(raw) : raw), ch.kind !== "scalar"),
            },
          ]
        : undefined;
  if (!edits || (ch.kind === "number" && asNumber(raw) === undefined)) return [];
  return [{ kind: "replace-in", title: `Adopt \`${deployedText}\` in the design`, args: { path: input.path, edits } }];
}

/** A Link compared as a whole: it must target a cluster the design links this one to. */
export function linkComparisons(
  c: Cluster,
  links: readonly { target: Deployed }[],
  path: string,
  input: DriftInput,
  where: Where,
  comparisons: Comparison[],
  f: { findings: Finding[] },
): void {
  const name = c.name!.value;
  const designed = (c.linkerd?.links ?? []).map((l) => l.cluster?.value).filter((x): x is string => !!x);
  for (const { target } of links) {
    const v = typeof target.value === "string" ? target.value : undefined;
    const ok = v !== undefined && designed.includes(v);
    comparisons.push({
      cluster: name,
      code: "drift/linkerd",
      field: "linkerd.links[].cluster",
      key: target.key,
      design: setText(designed),
      deployed: v ?? "absent",
      agree: ok,
      file: path,
      span: target.span,
      designSpan: c.linkerd?.keySpan ?? c.name!.span,
    });
    if (!ok)
      f.findings.push(
        finding(
          "drift/linkerd",
          target.span,
          `this Link targets ${v ?? "no cluster"}, but ${where(c.linkerd?.keySpan ?? c.name!.span)} gives ${name} links to ${setText(designed)}: the Link mirrors Services the design does not show`,
          { related: [{ span: c.linkerd?.keySpan ?? c.name!.span, message: `${name}'s links in the design`, path: input.path }] },
        ),
      );
  }
}
