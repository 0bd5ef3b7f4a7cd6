// The port matrix as people and tools read it: Markdown (by site pair), CSV (one row per rule,
// for a firewall ticket) and JSON. Pure.
import { cell, count, prose, table } from "../util/format";
import { type End, insideOneSite, type PortMatrix, type PortRow, portText } from "./ports";

export const PORT_FORMATS = ["md", "csv", "json"] as const;
export type PortFormat = (typeof PORT_FORMATS)[number];

const endText = (e: End) => `${e.what} (${e.site}): ${e.ranges.length ? e.ranges.join(", ") : "no range declared"}`;
const valueText = (r: PortRow) => (r.value.kind === "deployed" ? `deployed: ${r.value.file} ${r.value.key}` : "upstream default");
const arrow = (r: PortRow) => (r.direction === "both" ? "↔" : "→");

/** The site pair a row is about: "fra ↔ lon", or "fra (inside)" for a flow within one site. */
export function pairOf(r: PortRow): string {
  const [a, b] = [r.from.site, r.to.site].sort();
  return insideOneSite(r) ? `${a} (inside the site)` : `${a} ↔ ${b}`;
}

/**
 * The most site pairs the Markdown lists: past it (a Submariner mesh of 200 clusters has 19,900
 * pairs, 80,000 rules, 20 MB) the text is no ticket anyone reviews; CSV and JSON list every rule.
 */
export const MAX_PORT_PAIRS = 200;

/** Markdown: a table per site pair (the first MAX_PORT_PAIRS), then the notes. `heading` is the level of the pair headings. */
export function portsMarkdown(m: PortMatrix, heading = "###"): string {
  if (!m.rows.length)
    return `${["No cross-site flow needs a firewall rule: no cluster mesh, no Istio or Linkerd multicluster, no quorum with members in two sites.", ...m.notes.map((n) => `- ${prose(n)}`)].join("\n\n")}\n`;
  const out: string[] = [];
  // rows grouped by pair in one pass (a filter per pair was rows × pairs: minutes on 200 sites)
  const pairs = new Map<string, PortRow[]>();
  for (const r of m.rows) {
    const p = pairOf(r);
    const group = pairs.get(p);
    if (group) group.push(r);
    else pairs.set(p, [r]);
  }
  let listed = 0;
  for (const [p, rows] of pairs) {
    if (listed++ === MAX_PORT_PAIRS) {
      const rest = [...pairs.values()].slice(MAX_PORT_PAIRS);
      const rules = rest.reduce((n, g) => n + g.length, 0);
      out.push(
        `${count(rest.length)} more site pairs (${count(rules)} rules) are not listed here, past the ${MAX_PORT_PAIRS} this text lists: \`quorate ports --format csv\` (or \`json\`) gives every rule.`,
        "",
      );
      break;
    }
    out.push(`${heading} ${cell(p)}`, "");
    out.push(
      table(
        ["component", "protocol / port", "", "from", "to", "why", "value"],
        rows.map((r) => [
          `${r.when ? `${r.component} (only ${r.when})` : r.component}${r.inside ? ` — inside ${r.inside}: a NetworkPolicy rule, not a WAN firewall rule` : ""}`,
          `${portText(r)}${r.port !== null && r.detail ? ` — ${r.detail}` : ""}`,
          arrow(r),
          endText(r.from),
          endText(r.to),
          r.why,
          valueText(r),
        ]),
      ),
      "",
    );
  }
  if (m.notes.length) out.push("Notes:", "", ...m.notes.map((n) => `- ${prose(n)}`), "");
  const refs = [...new Set(m.rows.map((r) => r.reference))].sort();
  out.push(`Ports as documented upstream: ${refs.map((u) => `<${u}>`).join(", ")}.`, "");
  return `${out.join("\n").trimEnd()}\n`;
}

/** RFC 4180 CSV: one line per rule; ranges space-separated inside their field. */
export function portsCsv(m: PortMatrix): string {
  const q = (s: string | number | null) => {
    const t = s === null ? "" : String(s);
    // a leading = + - @ would run as a formula in a spreadsheet: quote it with a leading apostrophe
    const safe = /^[=+\-@\t\r]/.test(t) ? `'${t}` : t;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const head = [
    "component",
    "source",
    "protocol",
    "port",
    "detail",
    "direction",
    "from_site",
    "from",
    "from_ranges",
    "to_site",
    "to",
    "to_ranges",
    "why",
    "when",
    "value",
    "reference",
    "inside",
  ];
  const lines = m.rows.map((r) =>
    [
      r.component,
      r.source,
      r.protocol,
      r.port,
      r.detail ?? "",
      r.direction,
      r.from.site,
      r.from.what,
      r.from.ranges.join(" "),
      r.to.site,
      r.to.what,
      r.to.ranges.join(" "),
      r.why,
      r.when ?? "",
      valueText(r),
      r.reference,
      r.inside ?? "",
    ]
      .map(q)
      .join(","),
  );
  return `${[head.join(","), ...lines].join("\r\n")}\r\n`;
}

export function portsJson(m: PortMatrix): string {
  return `${JSON.stringify({ rows: m.rows, notes: m.notes }, null, 2)}\n`;
}
