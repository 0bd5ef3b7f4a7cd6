import type { Finding } from "../model/finding";
import type { Steps } from "../util/steps";
import type { TopologyContext, TopologyRule } from "./context";
import { cidrRules } from "./cidr";
import { dataRules } from "./data";
import { istioRules } from "./istio";
import { linkerdRules } from "./linkerd";
import { topologyExportRules } from "./exports";
import { meshRules } from "./mesh";
import { objectiveRules, objectiveSteps } from "./objective";
import { quorumRules } from "./quorum";
import { reachRules } from "./reach";
import { referenceRules } from "./references";
import { rttRules } from "./rtt";
import { submarinerRules } from "./submariner";
import { trafficRules } from "./traffic";

/** Every per-topology rule family, by name (the name appears in internal-error findings). */
export const TOPOLOGY_RULES: readonly (readonly [string, TopologyRule])[] = [
  ["ref", referenceRules],
  ["quorum", quorumRules],
  ["reach", reachRules],
  ["rtt", rttRules],
  ["cidr", cidrRules],
  ["mesh", meshRules],
  ["istio", istioRules],
  ["linkerd", linkerdRules],
  ["submariner", submarinerRules],
  ["data", dataRules],
  ["traffic", trafficRules],
  ["export", topologyExportRules],
  ["objective", objectiveRules],
];
/**
 * Families that need the availability figures (objective/*). The CLI runs them with the others;
 * the editor leaves them out of the analysis on the keystroke path (AnalysisOptions.deferFigures)
 * and runs them afterwards, a step at a time, cancelled by the next edit (analysis.ts
 * lateFindingsSteps): their findings come in a second publish.
 */
export const LATE_RULES: readonly (readonly [string, (ctx: TopologyContext) => Steps<Finding[]>])[] = [["objective", objectiveSteps]];
export {
  availabilityMeets,
  type ObjectiveJudgement,
  type ObjectiveKey,
  objectiveJudgements,
  objectiveStatuses,
  type ObjectiveStatus,
} from "./objective";
