/** Offsets are UTF-16 code unit indices into the text, which is what JS strings and LSP use. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface Position {
  /** 0-based line */
  readonly line: number;
  /** 0-based UTF-16 character */
  readonly character: number;
}

/**
 * Maps offsets to line/character and back with a binary search over line starts. The starts
 * are found on first use: a large file with no findings is judged without them.
 */
export class LineIndex {
  private lineStarts?: Uint32Array;
  /** the starts from a previous index's, when this text is that one with one change (see afterChange) */
  private derive?: () => Uint32Array;

  constructor(readonly text: string) {}

  /**
   * The index of `text`, which is `prev`'s text with one change. When the change neither
   * removes nor adds a line break, the line starts are `prev`'s with those past the change moved
   * (a copy of an array, not a scan of the whole text: a keystroke in a 1 MB file).
   */
  static afterChange(prev: LineIndex, change: { start: number; end: number; text: string }, text: string): LineIndex {
    const next = new LineIndex(text);
    const old = prev.lineStarts ?? (prev.derive ? prev.starts : undefined);
    if (!old || hasBreak(change.text, 0, change.text.length) || hasBreak(prev.text, change.start, change.end)) return next;
    // between a \r and its \n a line break would be split: scan
    if (prev.text.charCodeAt(change.start - 1) === 13) return next;
    const delta = change.text.length - (change.end - change.start);
    next.derive = () => {
      const starts = old.slice();
      // line starts after the change's own line move; none between start and end (no break there)
      for (let i = starts.length - 1; i > 0 && starts[i] > change.start; i--) starts[i] += delta;
      return starts;
    };
    return next;
  }

  private get starts(): Uint32Array {
    if (this.lineStarts) return this.lineStarts;
    if (this.derive) {
      this.lineStarts = this.derive();
      this.derive = undefined;
      return this.lineStarts;
    }
    const text = this.text;
    const starts = [0];
    if (text.indexOf("\r") < 0) {
      // only \n breaks: found by indexOf, a line at a time (a first keystroke in a large file
      // builds these in code not yet compiled, where a loop over every character is slow)
      for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
      this.lineStarts = Uint32Array.from(starts);
      return this.lineStarts;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.lineStarts = Uint32Array.from(starts);
    return this.lineStarts;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  positionAt(offset: number): Position {
    let o = Math.max(0, Math.min(offset, this.text.length));
    // between the \r and the \n of a CRLF is no position a client knows: the line's end is
    if (o > 0 && this.text.charCodeAt(o) === 10 && this.text.charCodeAt(o - 1) === 13) o--;
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo] };
  }

  offsetAt(pos: Position): number {
    if (pos.line >= this.starts.length) return this.text.length;
    if (pos.line < 0) return 0;
    const start = this.starts[pos.line];
    const next = pos.line + 1 < this.starts.length ? this.starts[pos.line + 1] : this.text.length;
    return Math.min(start + Math.max(0, pos.character), next);
  }

  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.starts.length - 1))];
  }

  /** The text of a line without its line break. */
  lineText(line: number): string {
    const start = this.lineStart(line);
    const next = line + 1 < this.starts.length ? this.starts[line + 1] : this.text.length;
    return this.text.slice(start, next).replace(/\r?\n$|\r$/, "");
  }
}

/**
 * A span that reads a `yaml` range array live. Incremental re-analysis shifts node ranges in
 * place, and every model value, finding and schema anchor built on them moves along.
 */
export class RangeSpan implements Span {
  constructor(
    private readonly range: readonly number[],
    private readonly s: 0 | 1 | 2,
    private readonly e: 0 | 1 | 2,
  ) {}
  get start(): number {
    return this.range[this.s];
  }
  get end(): number {
    return this.range[this.e];
  }
  toJSON(): { start: number; end: number } {
    return { start: this.start, end: this.end };
  }
}

function hasBreak(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return true;
  }
  return false;
}

/** The offset where the line holding `offset` starts. */
export function lineStartOf(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== "\n" && text[i - 1] !== "\r") i--;
  return i;
}

export function endOfLine(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && text[i] !== "\n" && text[i] !== "\r") i++;
  return i;
}

export const columnOf = (text: string, offset: number): number => offset - lineStartOf(text, offset);
