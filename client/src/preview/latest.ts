/**
 * Which of the preview's overlapping answers it may still show. A diagram asked for the document
 * the preview followed can arrive after the editor switched to another one — or after a later
 * answer, when the earlier document is a large file answered by the server's background thread
 * and the later one a small file answered at once. Shown, it would leave the preview on a
 * diagram of a document it no longer follows (with the new document's title), and nothing would
 * redraw it. So an answer is shown only when it is for the document followed now and no answer
 * asked for after it has been shown already.
 */
export class LatestAnswer<K> {
  private asked = 0;
  private shown = 0;

  /** A request starts: its ticket, in the order they were asked. */
  ask(): number {
    return ++this.asked;
  }

  /** Whether the answer to `ticket` (asked for `askedFor`) may be shown while `following` is followed; if so it counts as shown. */
  show(ticket: number, askedFor: K, following: K | undefined): boolean {
    if (askedFor !== following || ticket <= this.shown) return false;
    this.shown = ticket;
    return true;
  }
}
