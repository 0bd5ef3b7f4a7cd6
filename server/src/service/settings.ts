import type { SeverityOverride } from "../analysis";
import { ruleInfo } from "../rules/catalog";
import { DEFAULT_OPTIONS } from "../derive/context";

/** The `quorate.*` settings the server reads with workspace/configuration. */
export interface Settings {
  readonly rules: Readonly<Record<string, SeverityOverride>>;
  readonly galeraMaxRttMs: number;
  /** past this size a file gets one quorate/too-large diagnostic instead of live analysis */
  readonly maxFileSizeKb: number;
  /**
   * the most diagnostics sent for one file (the rest counted by one quorate/more-findings): VS
   * Code shows at most 1,000 a file and drops the others after building, sending and reading them
   */
  readonly maxDiagnostics: number;
}

/** The fewest diagnostics a file may be limited to (quorate.maxDiagnostics's minimum). */
export const MIN_DIAGNOSTICS = 100;

export const DEFAULT_SETTINGS: Settings = {
  rules: {},
  galeraMaxRttMs: DEFAULT_OPTIONS.galeraMaxRttMs,
  maxFileSizeKb: 8192,
  maxDiagnostics: 1000,
};

const LEVELS = ["off", "error", "warning", "information", "hint"];

/** Reads whatever the client sent, keeping only well-formed values. */
export function parseSettings(raw: unknown): Settings {
  const r = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const rules: Record<string, SeverityOverride> = {};
  if (r.rules && typeof r.rules === "object") {
    for (const [code, level] of Object.entries(r.rules as Record<string, unknown>)) {
      if (ruleInfo(code) && typeof level === "string" && LEVELS.includes(level)) rules[code] = level as SeverityOverride;
    }
  }
  const num = (v: unknown, d: number, min: number) => (typeof v === "number" && Number.isFinite(v) && v >= min ? v : d);
  return {
    rules,
    galeraMaxRttMs: num(r.galeraMaxRttMs, DEFAULT_SETTINGS.galeraMaxRttMs, 0),
    maxFileSizeKb: num(r.maxFileSizeKb, DEFAULT_SETTINGS.maxFileSizeKb, 1),
    maxDiagnostics: Math.floor(num(r.maxDiagnostics, DEFAULT_SETTINGS.maxDiagnostics, MIN_DIAGNOSTICS)),
  };
}
