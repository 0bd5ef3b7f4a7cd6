// What the diagram's classes and edge styles are, shared by the full drawing (mermaid.ts) and
// the summarised one (summary.ts).

export type SimState = "lost" | "stopped" | "degraded";
export type Severity = "error" | "warning";

/** A site's title: its name, and its role where that says something the name does not. */
export function siteTitle(name: string, role: string): string {
  return role === "primary" || name.toLowerCase().includes(role) ? name : `${name} · ${role}`;
}

export const rank = (s?: string) => (s === "error" ? 2 : s === "warning" ? 1 : 0);
export const simRank = (s?: SimState) => (s === "stopped" ? 3 : s === "degraded" ? 2 : s === "lost" ? 1 : 0);

export const severityEdge = (sev: Severity) => `stroke:${sev === "error" ? "#d32f2f" : "#f9a825"},stroke-width:3px`;

export function worstOf(sevs: readonly (Severity | undefined)[]): Severity | undefined {
  return sevs.reduce<Severity | undefined>((w, s) => (rank(s) > rank(w) ? s : w), undefined);
}

/** The worst of some scenario states (stopped, then degraded, then lost). */
export function worstState(states: Iterable<SimState | undefined>): SimState | undefined {
  let w: SimState | undefined;
  for (const s of states) if (simRank(s) > simRank(w)) w = s;
  return w;
}

export const SEVERITY_CLASSES = [
  "  classDef error stroke:#d32f2f,stroke-width:3px,color:#b71c1c",
  "  classDef warning stroke:#f9a825,stroke-width:3px",
];

// readable on light and dark themes alike: strokes carry the meaning, fills are translucent
export const SIM_CLASSES = [
  "  classDef lost fill:#9e9e9e22,stroke:#9e9e9e,stroke-width:2px,stroke-dasharray:6 4,color:#9e9e9e",
  "  classDef stopped fill:#d32f2f33,stroke:#d32f2f,stroke-width:3px",
  "  classDef degraded fill:#f9a82533,stroke:#f9a825,stroke-width:3px",
];
export const CUT = "stroke:#9e9e9e,stroke-width:2px,stroke-dasharray:6 4";
export const SLOW = "stroke:#f9a825,stroke-width:3px";
export const STOPPED_EDGE = "stroke:#d32f2f,stroke-width:3px";
