/**
 * Site-loss survival of a membership: the one implementation behind quorum/site-loss, the
 * quorum fixes, the hover and the decision record's checklist. Pure.
 */
import { siteLosses, type MemberMap, type SiteLoss } from "../math/quorum";
import type { Quorum, TopologyContext } from "./context";

/** Whether every single-site loss of this membership leaves a majority. */
export function survivesEverySiteLoss(counts: MemberMap): boolean {
  return counts.size >= 2 && siteLosses(counts).every((l) => l.survives);
}

/** The quorum error codes a membership would get (two-site-split, site-loss). */
export function quorumErrors(counts: MemberMap): Set<string> {
  const out = new Set<string>();
  const sites = [...counts.values()].filter((c) => c > 0).length;
  if (sites === 2) out.add("quorum/two-site-split");
  if (sites >= 3 && !survivesEverySiteLoss(counts)) out.add("quorum/site-loss");
  return out;
}

/** The quorums whose arithmetic is judged: every member site declared, every count exact, at least one member site. */
export function judgedQuorums(ctx: TopologyContext): Quorum[] {
  return ctx.fact(judged);
}
const judged = (ctx: TopologyContext) => ctx.quorums.filter((q) => q.resolved && q.counts.size);

/** Every single-site loss that stops a quorum's writes, quorum by quorum. */
export function fatalSiteLosses(ctx: TopologyContext): { quorum: Quorum; loss: SiteLoss }[] {
  return ctx.fact(fatal);
}
const fatal = (ctx: TopologyContext) =>
  judgedQuorums(ctx).flatMap((quorum) =>
    siteLosses(quorum.counts)
      .filter((l) => !l.survives)
      .map((loss) => ({ quorum, loss })),
  );
