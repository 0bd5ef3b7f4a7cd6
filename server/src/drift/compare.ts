/**
 * Drift: the design against the deployment files bound to its clusters (contract: shared
 * design/drift.md). Every compared field becomes a Comparison (the hover's table); each one
 * that disagrees becomes a finding in the deployment file, with the design's place as related
 * information and two fixes: set the deployed value to the design's, or adopt it in the
 * design. Pure: files come from a DeploymentSource, certificates from a fingerprint function.
 *
 * This file binds (a cluster's `deployment` entries to files) and recognises each document's
 * kind; kinds/ reads each kind's fields into Checks; comparer.ts compares them.
 */
import type { Span } from "../model/text";
import type { Finding } from "../model/finding";
import type { Cluster, DeploymentRef } from "../model/topology";
import { breaksDocument, parseFile } from "../model/parse";
import { finding } from "../rules/context";
import { compareCheck, linkComparisons, type Where } from "./comparer";
import { DEPLOY_KINDS, type DeployKind, type Deployed, DocReader, recognise } from "./deployed";
import { KIND_CHECKS } from "./kinds";
import type { Comparison, DeploymentSource, DriftInput, DriftResult, Fingerprints } from "./types";

export type { Comparison, DeploymentSource, DriftInput, DriftResult, Fingerprints, Match, Refusal } from "./types";
export { mergeFindings } from "./types";

/** A bound file as drift reads it: parsed once, its findings, the kinds found in it. */
type BoundFile = DriftResult["files"] extends Map<string, infer F> ? F : never;

/** The trust anchors a cluster deploys, for the across-cluster check. */
type Anchor = { file: string; span: Span; fingerprints: string[] };

/** What one drift pass accumulates while it reads the bound files. */
interface Pass {
  readonly input: DriftInput;
  readonly fingerprints: Fingerprints;
  readonly where: Where;
  readonly comparisons: Comparison[];
  readonly topology: Finding[];
  readonly anchors: Map<string, Anchor>;
}

/** A topology's drift: every bound file read, each document's kind compared, trust anchors across clusters. */
export function drift(input: DriftInput, source: DeploymentSource, fingerprints: Fingerprints): DriftResult {
  const t = input.ctx.topology;
  const L = input.lines;
  const files: DriftResult["files"] = new Map();
  const bound = new Map<string, string[]>();
  const pass: Pass = {
    input,
    fingerprints,
    where: (span: Span) => `${input.label}:${L.positionAt(span.start).line + 1}`,
    comparisons: [],
    topology: [],
    anchors: new Map(),
  };
  const fileOf = (path: string) => {
    let f = files.get(path);
    if (!f) {
      const text = source.read(path);
      if (text === undefined) return undefined;
      const parsed = parseFile(path, text);
      f = {
        parsed,
        findings: parsed.docs.flatMap((d) => d.yamlFindings.filter(breaksDocument)),
        kinds: [],
      };
      files.set(path, f);
    }
    return f;
  };

  for (const c of t.clusters) {
    const name = c.name?.value;
    if (!name || !c.deployment) continue;
    const mine: string[] = [];
    for (const ref of c.deployment.items) {
      if (!ref.path.value.trim()) continue; // an empty entry names nothing: the schema says so
      const { paths: matched, refused = [] } = source.match(input.path, ref.path.value);
      // what the entry reaches outside the root (or past the bounds) is named, never read
      for (const r of refused) pass.topology.push(finding(r.code, ref.path.span, r.message));
      if (refused.length && !matched.length) continue;
      if (!matched.length) {
        pass.topology.push(
          finding(
            "drift/missing-file",
            ref.path.span,
            `\`${ref.path.value}\` matches no file (relative to ${input.label}): nothing to compare for ${name}`,
          ),
        );
        continue;
      }
      for (const path of matched) {
        if (mine.includes(path)) continue; // two entries of one cluster binding one file judge it once
        const f = fileOf(path);
        if (!f) {
          const why = source.whyUnread?.(path);
          pass.topology.push(
            finding("drift/missing-file", ref.path.span, `${path} cannot be read${why ? ` (${why})` : ""}: nothing to compare for ${name}`),
          );
          continue;
        }
        mine.push(path);
        if (f.parsed.docs.some((d) => d.broken)) continue; // its yaml/syntax finding alone
        judgeFile(pass, c, ref, path, f);
      }
    }
    bound.set(name, mine);
  }
  trustAnchorFindings(pass, files);
  return { comparisons: pass.comparisons, files, topology: pass.topology, bound };
}

/** Every document of one bound file compared with cluster `c`'s design. */
function judgeFile(pass: Pass, c: Cluster, ref: DeploymentRef, path: string, f: BoundFile): void {
  const t = pass.input.ctx.topology;
  const named = ref.kind && (DEPLOY_KINDS as readonly string[]).includes(ref.kind.value) ? (ref.kind.value as DeployKind) : undefined;
  let any = false;
  const links: { d: DocReader; target: Deployed }[] = [];
  for (const doc of f.parsed.docs) {
    if (doc.kind === "empty" || !doc.doc.contents) continue;
    const d = new DocReader(doc.doc, doc.span);
    const kind = named ?? recognise(d);
    if (!kind) continue;
    any = true;
    if (!f.kinds.includes(kind)) f.kinds.push(kind);
    if (kind === "linkerd-link") {
      links.push({ d, target: d.get(["spec", "targetClusterName"]) });
      continue;
    }
    for (const ch of KIND_CHECKS[kind](d, c, t.clusters)) {
      const r = compareCheck(ch, path, pass.input, pass.where);
      if (r) pass.comparisons.push(r.comparison);
      if (r?.finding) f.findings.push(r.finding);
    }
    if (kind === "linkerd-values") readAnchor(pass, c.name!.value, path, d, f);
  }
  if (links.length) linkComparisons(c, links, path, pass.input, pass.where, pass.comparisons, f);
  if (!any)
    pass.topology.push(
      finding(
        "drift/unrecognized",
        ref.span,
        `${path} is none of the deployment kinds Quorate reads (${DEPLOY_KINDS.join(", ")}): name its kind with \`{ path, kind }\``,
      ),
    );
}

/** The trust anchors a cluster's Linkerd values deploy (identityTrustAnchorsPEM), or why they cannot be read. */
function readAnchor(pass: Pass, name: string, path: string, d: DocReader, f: BoundFile): void {
  const pem = d.get(["identityTrustAnchorsPEM"]);
  if (!pem.present || typeof pem.value !== "string") return;
  const fp = pass.fingerprints(pem.value);
  if ("error" in fp)
    f.findings.push(
      finding("drift/unreadable-anchor", pem.span, `identityTrustAnchorsPEM of ${name} does not parse as PEM certificates: ${fp.error}`),
    );
  else pass.anchors.set(name, { file: path, span: d.keySpan(["identityTrustAnchorsPEM"]) ?? pem.span, fingerprints: fp.fingerprints });
}

/** Deployed against deployed: linked Linkerd clusters must share a trust anchor. */
function trustAnchorFindings(pass: Pass, files: DriftResult["files"]): void {
  const t = pass.input.ctx.topology;
  for (const c of t.clusters) {
    const name = c.name?.value;
    for (const l of c.linkerd?.links ?? []) {
      const other = l.cluster?.value;
      const a = name && pass.anchors.get(name);
      const b = other && pass.anchors.get(other);
      if (!a || !b) continue;
      if (a.fingerprints.some((x) => b.fingerprints.includes(x))) continue;
      // the later cluster in the design carries the finding
      const later =
        t.clusters.findIndex((x) => x.name?.value === other) > c.index
          ? { n: other!, at: b, peer: name!, pa: a }
          : { n: name!, at: a, peer: other!, pa: b };
      const f = files.get(later.at.file)!;
      if (f.findings.some((x) => x.code === "drift/trust-anchor" && x.span.start === later.at.span.start)) continue;
      f.findings.push(
        finding(
          "drift/trust-anchor",
          later.at.span,
          `the trust anchors deployed for ${later.n} (${later.at.fingerprints.length} certificate${later.at.fingerprints.length === 1 ? "" : "s"}) and for ${later.peer} (${later.pa.file}, ${later.pa.fingerprints.length}) share no certificate, but ${name} links to ${other}: cross-cluster mTLS fails`,
        ),
      );
    }
  }
}
