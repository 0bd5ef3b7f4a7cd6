import type { TopologyRule } from "./context";
import { cidrRules } from "./cidr";
import { dataRules } from "./data";
import { istioRules } from "./istio";
import { linkerdRules } from "./linkerd";
import { topologyExportRules } from "./exports";
import { meshRules } from "./mesh";
import { objectiveRules } from "./objective";
import { quorumRules } from "./quorum";
import { referenceRules } from "./references";
import { rttRules } from "./rtt";
import { submarinerRules } from "./submariner";
import { trafficRules } from "./traffic";

/** Every per-topology rule family, by name (the name appears in internal-error findings). */
export const TOPOLOGY_RULES: readonly (readonly [string, TopologyRule])[] = [
  ["ref", referenceRules],
  ["quorum", quorumRules],
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
export { type ObjectiveJudgement, type ObjectiveKey, objectiveJudgements, objectiveStatuses, type ObjectiveStatus } from "./objective";
