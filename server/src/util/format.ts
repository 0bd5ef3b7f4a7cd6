import { controlsVisible } from "./terminal";
/**
 * The one place numbers, units and user text are formatted for people: every output (check,
 * hover, simulate, record, runbook, preview) formats through here, so one value reads the same
 * everywhere. Pure.
 */

/** A number as a reader checks it: integers as they are, fractions to at most two decimals. */
export const num = (x: number): string => String(Math.round(x * 100) / 100);

/** Milliseconds to at most three decimals (µs resolution: a LAN RTT of 0.125 ms stays exact), e.g. `62.03 ms`. */
export const ms = (x: number): string => `${+x.toFixed(3)} ms`;

/**
 * A number with thousands separators and at most `digits` decimals, a real minus sign for
 * negatives: `6,203`, `13,333.33`, `−2,000`.
 */
export function count(x: number | bigint, digits = 2): string {
  if (typeof x === "bigint") return grouped(0).format(x);
  const r = Math.round(x * 10 ** digits) / 10 ** digits;
  const s = grouped(digits).format(Math.abs(r));
  return r < 0 ? `−${s}` : s;
}

/** A share of calls, k of n, as said of requests spread evenly: "every one", "about half", "about 1 in 3". */
export function shareText(k: number, n: number): string {
  return k === n ? "every one" : 2 * k === n ? "about half" : `about ${count(k, 0)} in ${count(n, 0)}`;
}

/**
 * en-US grouping with at most `digits` decimals, one formatter per `digits` (what
 * toLocaleString("en-US", …) gives, without building a formatter per call: a Simulate click on
 * a large design formats thousands of figures, and that alone took most of its time).
 */
const formatters = new Map<number, Intl.NumberFormat>();
function grouped(digits: number): Intl.NumberFormat {
  let f = formatters.get(digits);
  if (!f) {
    f = new Intl.NumberFormat("en-US", { maximumFractionDigits: digits });
    formatters.set(digits, f);
  }
  return f;
}

/**
 * A rate of requests per second, the number alone: whole, with separators (`16,667`) — a
 * hundredth of a request per second is false precision (review M121b). A rate that is not 0 but
 * rounds to it keeps two decimals (`0.33`: an overload by a third of a request is not "by 0");
 * `digits` keeps more where a sentence compares the rate with a whole number the rounding would
 * reach (a load of 33.3 beside a capacity of 33).
 */
export function rpsFigure(x: number, digits = 0): string {
  return count(x, x !== 0 && Math.abs(x) < 0.5 ? Math.max(digits, 2) : digits);
}

/** Requests per second with separators, whole (`rpsFigure`), e.g. `13,333 rps`. */
export const rps = (x: number, digits = 0): string => `${rpsFigure(x, digits)} rps`;

/**
 * The decimals, `digits` at least and 6 at most, at which `x` rounded still compares with `limit`
 * as `x` does (review M140): a load just under a capacity never reads as the capacity (1,499.5
 * of 1,500, not "1,500 of 1,500" beside "served"), one just over never reads as it or under it,
 * and a headroom that is not 0 never reads "0".
 */
export function sideDigits(x: number, limit: number, digits = 0): number {
  const side = Math.sign(x - limit);
  for (let d = digits; d < 6; d++) {
    const r = Math.round(x * 10 ** d) / 10 ** d;
    if (Math.sign(r - limit) === side) return d;
  }
  return 6;
}

/** A load said beside a limit it exceeds: `rps`, with the decimals it takes to show it is over `atMost` (`33.3 rps` over 33, `1,500.04 rps` over 1,500). */
export const rpsOver = (x: number, atMost: number): string => rps(x, sideDigits(x, atMost));

/** A backend's load beside its capacity, as every output says them (review M140). */
export interface LoadWords {
  /** "1,499.5 rps" */
  readonly load: string;
  /** "1,500 rps" */
  readonly capacity: string;
  /** capacity − load: "0.5 rps", "−0.5 rps", "0 rps" only when exactly at capacity */
  readonly headroom: string;
  /** the headroom as a share of the capacity: "0.03%", "−33.3%", "0%" only when exactly at capacity */
  readonly share: string;
  /** load − capacity when over it: "0.5 rps" */
  readonly excess: string;
  /** the decimals all of them are said with (for a table cell that gives the number alone: rpsFigure) */
  readonly digits: number;
}

/**
 * A load and its capacity with the decimals that keep the words and numbers agreeing (review M140):
 * the load on its side of the capacity, the headroom (and the excess) not 0 unless the load is
 * exactly the capacity, and load + headroom = capacity as printed (one number of decimals for all).
 */
export function loadWords(load: number, capacity: number): LoadWords {
  // a headroom under half a request keeps two decimals (rpsFigure): the load takes as many, so that they add up as printed
  const small = load !== capacity && Math.abs(capacity - load) < 0.5 ? 2 : 0;
  const d = Math.max(sideDigits(load, capacity), sideDigits(capacity - load, 0), small);
  const share = capacity ? (100 * (capacity - load)) / capacity : 0;
  return {
    load: rps(load, d),
    capacity: rps(capacity, d),
    headroom: rps(capacity - load, d),
    share: capacity ? `${count(share, sideDigits(share, 0, 1))}%` : "—",
    excess: rps(load - capacity, d),
    digits: d,
  };
}

/** Seconds with separators and at most `digits` decimals, e.g. `174.8 s`. */
export const seconds = (x: number, digits = 1): string => `${count(x, digits)} s`;

/** A share of a whole as a percentage with one decimal, e.g. `25%`, `−33.3%`. */
export const percent = (part: number, whole: number): string => (whole ? `${count((100 * part) / whole, 1)}%` : "—");

/**
 * A part of a budget as a percentage, to one decimal — with as many digits as it takes to say what
 * the rounding would hide (review M84): a spend is never "0%" (5 s of 15,779 s is "0.03%") and a
 * spend short of the whole never "100%" (availabilityPercent's rule, the other way).
 */
export function budgetShare(part: number, whole: number): string {
  if (!whole) return "—";
  const p = (100 * part) / whole;
  if (p <= 0) return "0%";
  if (p < 1e-6) return "less than 0.000001%";
  if (p < 0.05) return `${p.toFixed(-Math.floor(Math.log10(p)))}%`;
  if (p < 100 && Number(p.toFixed(1)) >= 100) return `${p.toFixed(-Math.floor(Math.log10(100 - p)))}%`;
  return `${count(p, 1)}%`;
}

/** A byte count with its binary size when large, e.g. `1,048,576 bytes (1 MiB)`. */
export function bytes(n: bigint | number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let x = Number(n);
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  // a byte count from the design may be a fraction (the schema says number): shown as written, never thrown on
  const exact = typeof n === "bigint" || Number.isInteger(n) ? count(BigInt(n)) : grouped(6).format(n);
  return `${exact} bytes${i ? ` (${+x.toFixed(1)} ${units[i]})` : ""}`;
}

/**
 * User text (a site, cluster or store name…) as Markdown that shows exactly that text, inline or
 * in a table cell: HTML and code are entity-escaped, emphasis, links and cell bars backslash-
 * escaped, line breaks folded, other control characters shown as `\u001b` — a hostile name stays text.
 */
export function mdText(s: string | number): string {
  const text = String(s)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/`/g, "&#96;")
    .replace(/[\\*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/[\r\n\u2028\u2029]+/g, " ")
    .replace(/\t/g, " ");
  return controlsVisible(text);
}

/** Table cell text (see `mdText`). */
export const cell = mdText;

/**
 * Inline code that shows `s` exactly (CommonMark: a fence of more backticks than any run
 * inside, padded when `s` starts or ends with one); `inTable` escapes `|`, which GitHub
 * tables split on even inside code. Line breaks become spaces: a code span is one line.
 */
export function codeSpan(s: string, inTable = false): string {
  const text = controlsVisible(s.replace(/[\r\n\u2028\u2029\t]+/g, " "));
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") || (text.startsWith(" ") && text.endsWith(" ") && text.trim()) ? " " : "";
  return `${fence}${pad}${inTable ? text.replace(/\|/g, "\\|") : text}${pad}${fence}`;
}

/**
 * A rule's or the engine's sentence as Markdown: its backticked runs (code the user types, such
 * as `affinity: local`) become code spans (`codeSpan`: shown exactly, nothing inside
 * interpreted), everything else is `mdText`. A name or value with a backtick of its own may pair
 * differently from what the sentence meant, but every character still shows as text.
 */
export function prose(s: string | number, inTable = false): string {
  return String(s)
    .split(/(`[^`\r\n\u2028\u2029]+`)/)
    .map((part, i) => (i % 2 ? codeSpan(part.slice(1, -1), inTable) : mdText(part)))
    .join("");
}

/** A GitHub-flavoured Markdown table; cells are escaped with `mdText`, except those given as `{ raw }` (already Markdown). */
export function table(
  headers: readonly (string | { raw: string })[],
  rows: readonly (readonly (string | number | { raw: string })[])[],
): string {
  const line = (cells: readonly (string | number | { raw: string })[]) =>
    `| ${cells.map((c) => (typeof c === "object" ? c.raw : mdText(c))).join(" | ")} |`;
  return [line(headers), `|${headers.map(() => "---").join("|")}|`, ...rows.map(line)].join("\n");
}

/** Availability as people read it: six significant digits of the percentage ("99.9997%"), never rounded up to 100%. */
export function availabilityPercent(availability: number, unavailability = 1 - availability): string {
  if (unavailability <= 0) return "100%";
  let s = (availability * 100).toPrecision(6);
  if (Number(s) >= 100) {
    // 99.99999…: show as many nines as it takes for the figure not to read as 100%
    const digits = Math.ceil(-Math.log10(unavailability)) - 1;
    s = (100 - unavailability * 100).toFixed(Math.max(0, digits));
  }
  return `${s.replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "")}%`;
}

/** Six significant digits, plain notation for ordinary magnitudes. */
export function sig(x: number): string {
  if (x === 0) return "0";
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e15) return String(Number(x.toPrecision(6)));
  return x.toExponential(5).replace(/\.?0+e/, "e");
}

/** Minutes of downtime as a person reads them, rounded (never cut: a cut would understate it): "7.61 minutes", "8.8 hours", "37.8 seconds". */
export function minutes(m: number): string {
  const round = (x: number, digits: number) => sig(Number(x.toFixed(digits)));
  if (m >= 120) return `${count(Number((m / 60).toFixed(1)), 1)} hours`;
  // one of a unit is singular: "1 minute", "1 second"
  const unit = (x: string, word: string) => `${x} ${word}${x === "1" ? "" : "s"}`;
  if (Number(m.toFixed(2)) >= 1) return unit(round(m, 2), "minute");
  if (m > 0 && m * 60 < 0.05) return "less than 0.1 seconds";
  return unit(round(m * 60, 1), "second");
}

/** A probability as a percentage of the time, three significant digits in plain notation ("0.0005%"). */
export function percentOfTime(p: number): string {
  if (p <= 0) return "0%";
  if (p * 100 < 1e-6) return "less than 0.000001%";
  // short of certainty, never "100%": as many nines as it takes (availabilityPercent's rule)
  if (p < 1 && Number((p * 100).toPrecision(3)) >= 100) return availabilityPercent(p, 1 - p);
  return `${Number((p * 100).toPrecision(3))
    .toFixed(Math.max(0, 2 - Math.floor(Math.log10(p * 100))))
    .replace(/(\.\d*?)0+$/, "$1")
    .replace(/\.$/, "")}%`;
}
