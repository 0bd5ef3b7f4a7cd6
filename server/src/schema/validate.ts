import type { ErrorObject } from "ajv";
import { isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair, type Scalar, type YAMLMap } from "yaml";
import { plainJS } from "./plain";
import type { Finding } from "../model/finding";
import type { Span } from "../model/text";
import { deref, isExactNumber, spanOf } from "../model/yamlnodes";
import { closest } from "../util/strings";
import { setOwn } from "../util/records";
import { LIST_KEYS, type ListKey } from "../model/topology";
import * as generated from "./validators.generated";

/**
 * The schema's validators, compiled ahead of time (scripts/schema-validators.mjs, run by
 * `npm run build`): compiling the schema on first use cost each process a few hundred
 * milliseconds on its first topology. `root` is the document's own level — the same schema with
 * list items accepted as anything, so each item is validated on its own (no whole-document JS
 * copy; one item re-validates alone); the others are each list item's definition.
 */
type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
const rootValidator: Validator = generated.root;
const ITEM_VALIDATORS: Record<ListKey, Validator> = {
  sites: generated.sitesItem,
  links: generated.linksItem,
  clusters: generated.clustersItem,
  stores: generated.storesItem,
  traffic: generated.trafficItem,
  exports: generated.exportsItem,
};

/** The bound on alias expansion when building the schema's input (billion laughs). */
export const MAX_ALIAS_COUNT = 1000;

const PATTERN_MEANING: Record<string, string> = {
  "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$":
    "is not a DNS label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)",
};

interface Located {
  /** the node the pointer names, or null when it does not exist */
  node: Node | null;
  /** the key that holds it (absent for the root and sequence items) */
  keySpan?: Span;
  /** when it is a sequence item: the item's range */
  itemSpan?: Span;
}

function unescapePointer(seg: string): string {
  return seg.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** A mapping's pairs by key text (the first of a repeated key), built once per mapping per validation. */
type KeyIndex = WeakMap<YAMLMap, Map<string, Pair>>;

function pairsByKey(doc: Document, map: YAMLMap, index: KeyIndex): Map<string, Pair> {
  let keys = index.get(map);
  if (!keys) {
    keys = new Map();
    for (const p of map.items as Pair[]) {
      const k = deref(doc, p.key);
      if (k && isScalar(k) && !keys.has(String(k.value))) keys.set(String(k.value), p);
    }
    index.set(map, keys);
  }
  return keys;
}

/**
 * Follows a JSON pointer through the YAML tree, remembering key ranges on the way. `index` keeps
 * each mapping's keys between the pointers of one validation: a mapping of N unknown keys is N
 * errors, and searching its pairs for each was N × N (10,000 keys, 89 KB: seconds per edit).
 */
function locate(doc: Document, pointer: string, index: KeyIndex): Located {
  const segs = pointer === "" ? [] : pointer.split("/").slice(1).map(unescapePointer);
  let node = deref(doc, doc.contents);
  let keySpan: Span | undefined;
  let itemSpan: Span | undefined;
  for (const seg of segs) {
    if (node && isMap(node)) {
      const pair = pairsByKey(doc, node as YAMLMap, index).get(seg);
      if (!pair) return { node: null };
      keySpan = spanOf(pair.key as Node);
      itemSpan = undefined;
      node = deref(doc, pair.value);
    } else if (node && isSeq(node)) {
      const item = node.items[Number(seg)] as Node | undefined;
      if (!item || isPair(item)) return { node: null };
      keySpan = undefined;
      itemSpan = spanOf(item);
      node = deref(doc, item);
    } else return { node: null };
  }
  return { node, keySpan, itemSpan };
}

function pathText(pointer: string): string {
  if (!pointer) return "the document";
  return pointer
    .split("/")
    .slice(1)
    .map(unescapePointer)
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), "");
}

function lastSeg(pointer: string): string {
  const segs = pointer.split("/");
  return unescapePointer(segs[segs.length - 1] ?? "");
}

function typeName(v: unknown): string {
  if (v === null || v === undefined) return "empty";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "number") return Number.isInteger(v) ? "an integer" : "a number";
  return `a ${typeof v}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  number: "a number",
  integer: "a whole number",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
};

function describeType(t: string | string[]): string {
  const list = Array.isArray(t) ? t : [t];
  if (list.includes("string") && list.includes("array")) return "a string or a list of strings";
  return list.map((x) => TYPE_WORDS[x] ?? x).join(" or ");
}

function show(v: unknown): string {
  return typeof v === "string" ? `"${v}"` : JSON.stringify(v);
}

function message(e: ErrorObject, data: unknown): string {
  const where = pathText(e.instancePath);
  const name = lastSeg(e.instancePath) || "the document";
  const label = /^\d+$/.test(name) ? where : `\`${name}\``;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return `${where === "the document" ? "the document" : `\`${where}\``} is missing required property \`${p.missingProperty}\``;
    case "additionalProperties": {
      const extra = String(p.additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      const near = closest(extra, allowed);
      return `unknown property \`${extra}\` in \`${where === "the document" ? "the topology" : where}\`${near ? ` (did you mean \`${near}\`?)` : ""}`;
    }
    case "type":
      return `${label} must be ${describeType(p.type as string | string[])}, not ${typeName(data)}`;
    case "enum":
      return `${label} must be one of ${(p.allowedValues as unknown[]).map((v) => `\`${v}\``).join(", ")}, not ${show(data)}`;
    case "const":
      return `${label} must be \`${p.allowedValue}\`, not ${show(data)}`;
    case "pattern":
      return `${label} ${show(data)} ${PATTERN_MEANING[String(p.pattern)] ?? "is not a lowercase DNS name"}`;
    case "minItems":
      return p.limit === 1 ? `${label} must list at least one item` : `${label} must list at least ${p.limit} items`;
    case "maxItems":
      return name === "between" ? `\`between\` must name exactly two sites` : `${label} must list at most ${p.limit} items`;
    case "uniqueItems":
      return name === "between" ? `\`between\` must name two distinct sites` : `${label} repeats an item`;
    case "minProperties":
      return `${label} must not be empty`;
    case "minLength":
      return `${label} must not be empty`;
    case "minimum":
      return `${label} must be at least ${p.limit}, not ${show(data)}`;
    case "maximum":
      return `${label} must be at most ${p.limit}, not ${show(data)}`;
    case "exclusiveMinimum":
      return `${label} must be greater than ${p.limit}, not ${show(data)}`;
    default:
      return `${where}: ${e.message ?? "does not match the schema"}`;
  }
}

function dataAt(root: unknown, pointer: string): unknown {
  let v = root;
  for (const seg of pointer.split("/").slice(1).map(unescapePointer)) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
}

/** Where a missing property is reported: the parent's key, else the item's first key, else the document start. */
function missingAnchor(at: Located, docSpan: Span): Span {
  if (at.keySpan) return at.keySpan;
  const node = at.node;
  if (node && isMap(node) && node.items.length) return spanOf((node.items[0] as Pair).key as Node);
  if (at.itemSpan) return at.itemSpan;
  return { start: docSpan.start, end: docSpan.start };
}

/**
 * An `anyOf` (the schema's "a string or a list of strings" shape; strict mode refuses a union
 * `type`) reads as one error, as a union type would: the branch whose type the value has, with
 * its own errors (a list of three CIDRs: "at most 2 items"), else one type error naming every
 * branch's type ("a string or a list of strings, not a mapping").
 */
function foldAnyOf(errors: readonly ErrorObject[]): ErrorObject[] {
  const branchOf = new Map<ErrorObject, ErrorObject>();
  for (const a of errors) {
    if (a.keyword !== "anyOf") continue;
    for (const e of errors) if (e !== a && e.schemaPath.startsWith(`${a.schemaPath}/`)) branchOf.set(e, a);
  }
  const out: ErrorObject[] = [];
  for (const e of errors) {
    if (branchOf.has(e)) continue;
    if (e.keyword !== "anyOf") {
      out.push(e);
      continue;
    }
    const branches = errors.filter((x) => branchOf.get(x) === e);
    const wrongType = (x: ErrorObject) => x.keyword === "type" && x.instancePath === e.instancePath;
    const matched = branches.filter((x) => !wrongType(x));
    if (matched.length) out.push(...matched);
    else out.push({ ...e, keyword: "type", params: { type: branches.flatMap((x) => (x.params as { type: string | string[] }).type) } });
  }
  return out;
}

function toFindings(doc: Document, docSpan: Span, errors: readonly ErrorObject[], data: unknown, prefix = ""): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  const index: KeyIndex = new WeakMap();
  for (const raw of foldAnyOf(errors)) {
    // `if` only says which branch failed; the branch's own error says what is wrong
    if (raw.keyword === "if") continue;
    // `.nan` and `.inf` are value/too-large's, said there as what they are: a bound against one read
    // "must be at most 1, not null" (JSON has no NaN) — audit A12
    const value = dataAt(data, raw.instancePath);
    if (typeof value === "number" && !Number.isFinite(value)) continue;
    const e = { ...raw, instancePath: prefix + raw.instancePath };
    const dedupe = `${e.instancePath}|${e.keyword === "additionalProperties" ? (e.params as { additionalProperty: string }).additionalProperty : e.keyword === "required" ? (e.params as { missingProperty: string }).missingProperty : ""}`;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    const at = locate(doc, e.instancePath, index);
    let span: Span;
    if (e.keyword === "required") span = missingAnchor(at, docSpan);
    else if (e.keyword === "additionalProperties") {
      const key = locate(
        doc,
        `${e.instancePath}/${String((e.params as { additionalProperty: string }).additionalProperty)
          .replace(/~/g, "~0")
          .replace(/\//g, "~1")}`,
        index,
      );
      span = key.keySpan ?? spanOf(at.node, { start: docSpan.start, end: docSpan.start });
    } else span = at.node?.range ? spanOf(at.node) : (at.keySpan ?? { start: docSpan.start, end: docSpan.start });
    out.push({ code: "schema", severity: "error", span, message: message(e, dataAt(data, raw.instancePath)) });
  }
  return out;
}

/** Numbers past ±(2^53 − 1) under `data`, as JSON pointers below `prefix`. */
function inexactNumbers(data: unknown, prefix: string, out: string[] = []): string[] {
  if (typeof data === "number") {
    if (!isExactNumber(data)) out.push(prefix);
  } else if (Array.isArray(data)) {
    data.forEach((v, i) => {
      inexactNumbers(v, `${prefix}/${i}`, out);
    });
  } else if (data && typeof data === "object") {
    for (const [k, v] of Object.entries(data)) inexactNumbers(v, `${prefix}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`, out);
  }
  return out;
}

/** Whether any number under `data` is past ±(2^53 − 1): the walk builds no pointers (nearly always false). */
function anyInexact(data: unknown): boolean {
  if (typeof data === "number") return !isExactNumber(data);
  if (Array.isArray(data)) {
    for (const v of data) if (anyInexact(v)) return true;
  } else if (data && typeof data === "object") {
    for (const k in data) if (Object.hasOwn(data, k) && anyInexact((data as Record<string, unknown>)[k])) return true;
  }
  return false;
}

/**
 * Why a number is not computed with: past 2^53 − 1, or YAML's `.nan` / `.inf` (no JSON tool holds
 * those, and no field of a design means them) — audit A12.
 */
function inexactMessage(where: string, source: string, v: number): string {
  if (Number.isNaN(v))
    return `\`${where}\` is ${source}, YAML's "not a number": it is no value, so Quorate does not compute with it (write a number)`;
  if (!Number.isFinite(v))
    return `\`${where}\` is ${source}, YAML's ${v > 0 ? "" : "negative "}infinity: no design value is infinite, so Quorate does not compute with it (write a number)`;
  return `\`${where}\` is ${source}, beyond 2^53 − 1 (9007199254740991), the largest number JSON and YAML tools hold exactly; Quorate does not compute with it`;
}

/** `value/too-large`: one finding at each number the product cannot hold exactly. */
function tooLarge(doc: Document, docSpan: Span, data: unknown, prefix: string): Finding[] {
  if (!anyInexact(data)) return [];
  const index: KeyIndex = new WeakMap();
  return inexactNumbers(data, prefix).map((pointer) => {
    const at = locate(doc, pointer, index);
    const source =
      at.node && isScalar(at.node)
        ? ((at.node as Scalar).source ?? String((at.node as Scalar).value))
        : String(dataAt(data, pointer.slice(prefix.length)));
    return {
      code: "value/too-large",
      severity: "error" as const,
      span: at.node?.range ? spanOf(at.node) : (at.keySpan ?? { start: docSpan.start, end: docSpan.start }),
      message: inexactMessage(pathText(pointer), source, dataAt(data, pointer.slice(prefix.length)) as number),
    };
  });
}

export interface SchemaResult {
  /** findings by group ("" = outside every list item) */
  readonly groups: Map<string, Finding[]>;
  /** the document expanded aliases past the limit: nothing else is analysed */
  readonly aliasBomb?: Finding;
}

/**
 * Validates one topology document against the schema, grouping the findings by list item so
 * incremental re-analysis can re-validate one item and keep the rest.
 */
export function validateTopologyGroups(doc: Document, docSpan: Span): SchemaResult {
  const groups = new Map<string, Finding[]>();
  const root = deref(doc, doc.contents);
  try {
    // the document level, with each list standing in as an array of the right length
    let data: unknown;
    const items: [ListKey, number, Node][] = [];
    if (root && isMap(root)) {
      const obj: Record<string, unknown> = {};
      for (const item of (root as YAMLMap).items) {
        const pair = item as Pair;
        const k = deref(doc, pair.key);
        const key = k && isScalar(k) ? String(k.value) : String(pair.key);
        const value = deref(doc, pair.value);
        if ((LIST_KEYS as string[]).includes(key) && value && isSeq(value)) {
          const seq = (value as { items: Node[] }).items;
          setOwn(
            obj,
            key,
            seq.map(() => null),
          );
          seq.forEach((n, i) => {
            const target = deref(doc, n);
            if (target) items.push([key as ListKey, i, target]);
          });
        } else setOwn(obj, key, value ? plainJS(doc, value, MAX_ALIAS_COUNT) : null);
      }
      data = obj;
    } else data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    const validate = rootValidator;
    const rootFindings = validate(data) ? [] : toFindings(doc, docSpan, validate.errors ?? [], data);
    rootFindings.push(...tooLarge(doc, docSpan, data, ""));
    if (rootFindings.length) groups.set("", rootFindings);
    for (const [key, i, node] of items) {
      const found = validateItem(doc, docSpan, key, i, node);
      if (found.length) groups.set(`${key}/${i}`, found);
    }
  } catch (err) {
    if (!/alias/i.test((err as Error).message)) throw err;
    return {
      groups: new Map(),
      aliasBomb: {
        code: "yaml/aliases",
        severity: "error",
        span: { start: docSpan.start, end: docSpan.start },
        message: `the document expands aliases more than ${MAX_ALIAS_COUNT} times; it is not analysed (${(err as Error).message})`,
      },
    };
  }
  return { groups };
}

/** Schema findings for one list item, exactly as whole-document validation reports them. */
export function validateItem(doc: Document, docSpan: Span, key: ListKey, index: number, node: Node): Finding[] {
  const data = plainJS(doc, node, MAX_ALIAS_COUNT);
  const validate = ITEM_VALIDATORS[key];
  const prefix = `/${key}/${index}`;
  const found = validate(data) ? [] : toFindings(doc, docSpan, validate.errors ?? [], data, prefix);
  return [...found, ...tooLarge(doc, docSpan, data, prefix)];
}
