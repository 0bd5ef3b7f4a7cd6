/** Levenshtein distance with a cutoff, for "did you mean" suggestions (two rows reused, no allocation per row). */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = new Int32Array(b.length + 1);
  let cur = new Int32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca === b.charCodeAt(j - 1) ? 0 : 1));
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/** A Kubernetes name (RFC 1123 label) — a site, cluster, namespace: lowercase letters, digits and '-', at most 63. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The longest word (and candidate) "did you mean" compares: a typo is suggested for a name, and
 * names are DNS labels (63 characters). The distance costs the product of the two lengths, and
 * a cloned design's names have no length bound: two 20,000-character names cost seconds.
 */
export const MAX_SUGGEST_LENGTH = 64;

/**
 * The candidate closest to `word`, if close enough to be a likely typo: within a third of
 * the word's length, or a prefix/extension of it ("frankfurt" → "fra"). A word or candidate
 * longer than MAX_SUGGEST_LENGTH is not compared.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  if (word.length > MAX_SUGGEST_LENGTH) return undefined;
  const w = word.toLowerCase();
  for (const c of candidates) {
    if (c.length > MAX_SUGGEST_LENGTH) continue;
    const l = c.toLowerCase();
    const limit = Math.max(1, Math.floor(Math.max(w.length, l.length) / 3));
    let score = editDistance(w, l, limit);
    if (score > limit && (w.startsWith(l) || l.startsWith(w)) && Math.min(w.length, l.length) >= 2) score = limit;
    if (score <= limit && score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

/** "a, b and c" */
export function listText(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
