// JSON the background thread already wrote (a large file's diagnostics, a request's result),
// passed on to the client as it is. Over stdio the server's writer serialises each message with
// `stringifyMessage`, which splices such text in where the value goes: the main thread neither
// parses a large file's diagnostics (megabytes when a range overlaps thousands of others) nor
// serialises them again. Any other transport (node IPC, a test's connection) gets the parsed value.

/** Text that stands in for a spliced value while a message is serialised (never in a document: a random part per process). */
const MARK = `\u0000quorate-json-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}-`;

/** The values met while `stringifyMessage` serialises a message (undefined at any other time). */
let spliced: (string | readonly string[])[] | undefined;

/** Whether this process's writer splices (set once, by the stdio bootstrap that installs it). */
let splicing = false;

/**
 * A value as JSON text already written (whole, or in pieces to be read one after the other): it
 * serialises as that text (see stringifyMessage) or, outside it, as the parsed value.
 */
export class PreSerialised {
  constructor(readonly json: string | readonly string[]) {}

  toJSON(): unknown {
    if (!spliced) return JSON.parse(typeof this.json === "string" ? this.json : this.json.join(""));
    spliced.push(this.json);
    return `${MARK}${spliced.length - 1}`;
  }
}

/** The writer of this process splices PreSerialised values (called by the stdio bootstrap). */
export function spliceSerialised(): void {
  splicing = true;
}

/** JSON the background thread wrote, as the value to hand to the connection: spliced where the writer can, parsed otherwise. */
export function fromThread(json: string | readonly string[]): unknown {
  return splicing ? new PreSerialised(json) : JSON.parse(typeof json === "string" ? json : json.join(""));
}

/** A message as JSON text, with each PreSerialised value's text in its place; the same text as JSON.stringify otherwise. */
export function stringifyMessage(message: unknown): string {
  const outer = spliced;
  spliced = [];
  let text: string;
  let values: (string | readonly string[])[];
  try {
    text = JSON.stringify(message);
    values = spliced;
  } finally {
    spliced = outer;
  }
  if (!values.length) return text;
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < values.length; i++) {
    // the mark as JSON.stringify wrote it: quoted, its NUL escaped
    const mark = JSON.stringify(`${MARK}${i}`);
    const at = text.indexOf(mark, from);
    // (a value whose toJSON result was not written as a string cannot be spliced: written parsed)
    if (at < 0) return JSON.stringify(message);
    parts.push(text.slice(from, at));
    const v = values[i];
    if (typeof v === "string") parts.push(v);
    else for (const piece of v) parts.push(piece);
    from = at + mark.length;
  }
  parts.push(text.slice(from));
  return parts.join("");
}
