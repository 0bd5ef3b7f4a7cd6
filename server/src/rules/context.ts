import type { Finding } from "../model/finding";
import type { Span } from "../model/text";
import type { TopologyContext } from "../derive/context";
import { defaultSeverity, type RuleCode } from "./catalog";

export { memberPairs, type Quorum, TopologyContext } from "../derive/context";

export function finding(code: RuleCode, span: Span, message: string, extra: Partial<Finding> = {}): Finding {
  return { code, severity: defaultSeverity(code), span, message, ...extra };
}

/** One rule family: a topology's facts in, findings out. Only rules/ decides findings. */
export type TopologyRule = (ctx: TopologyContext) => Finding[];
