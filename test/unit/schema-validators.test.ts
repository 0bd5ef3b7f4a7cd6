// The schema's validators are compiled ahead of time (scripts/schema-validators.mjs →
// server/src/schema/validators.generated.ts). These check that the committed file is the compile
// of the schema as it is, and that it answers exactly as ajv compiling the schema at run time
// answers — the same verdicts and the same errors — on the corpus and on mutations of it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import Ajv from "ajv";
import { parseAllDocuments } from "yaml";
import {
  clustersItem,
  exportsItem,
  linksItem,
  root,
  sitesItem,
  storesItem,
  trafficItem,
} from "../../server/src/schema/validators.generated";
import { corpus } from "../fuzz/corpus";
import { rng, seedFromEnv } from "../helpers";

const ROOT = resolve(__dirname, "..", "..", "..");
const SCRIPT = pathToFileURL(join(ROOT, "scripts", "schema-validators.mjs")).href;
const LISTS = ["sites", "links", "clusters", "stores", "traffic", "exports"] as const;

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };
const GENERATED_ITEMS: Record<(typeof LISTS)[number], Validate> = {
  sites: sitesItem,
  links: linksItem,
  clusters: clustersItem,
  stores: storesItem,
  traffic: trafficItem,
  exports: exportsItem,
};

test("the committed validators are the compile of schemas/topology.schema.json (npm run build rewrites them)", async () => {
  const { validatorsSource, GENERATED } = (await import(SCRIPT)) as { validatorsSource(): string; GENERATED: string };
  assert.equal(
    readFileSync(GENERATED, "utf8"),
    validatorsSource(),
    "stale: run `npm run build` (or node scripts/schema-validators.mjs) and commit the file",
  );
});

/** What validate.ts did before: ajv compiling the schema in the process, with the same options. */
function compiledAtRunTime(): { root: Validate; items: Record<string, Validate> } {
  const schema = JSON.parse(readFileSync(join(ROOT, "schemas", "topology.schema.json"), "utf8"));
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
  ajv.addKeyword({ keyword: "markdownDescription", schemaType: "string" });
  ajv.compile(schema);
  const root = structuredClone(schema);
  root.$id = `${schema.$id.replace(/\.json$/, "")}-root.json`;
  const items: Record<string, Validate> = {};
  for (const key of LISTS) {
    root.properties[key].items = {};
    items[key] = ajv.getSchema(`${schema.$id}${schema.properties[key].items.$ref}`) as Validate;
  }
  return { root: ajv.compile(root) as Validate, items };
}

const STRANGE: unknown[] = [null, "", "x", "UPPER", -1, 0, 1.5, 2 ** 60, true, [], {}, ["a", "a"], { a: 1 }, "10.0.0.0/33", [1, 2, 3]];

/** A copy of `data` with one value somewhere replaced, removed, or a key added beside it. */
function mutate(data: unknown, next: () => number): unknown {
  const copy = structuredClone(data);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  let at: unknown = copy;
  for (let depth = 0; depth < 6; depth++) {
    if (!at || typeof at !== "object") break;
    const keys = Object.keys(at);
    if (!keys.length) break;
    const key = pick(keys);
    const child = (at as Record<string, unknown>)[key];
    if (next() < 0.35 || !child || typeof child !== "object") {
      const r = next();
      if (r < 0.6) (at as Record<string, unknown>)[key] = pick(STRANGE);
      else if (r < 0.8 && !Array.isArray(at)) delete (at as Record<string, unknown>)[key];
      else if (!Array.isArray(at)) (at as Record<string, unknown>)[`${key}x`] = pick(STRANGE);
      return copy;
    }
    at = child;
  }
  return copy;
}

test("the generated validators give ajv's own verdicts and errors, on the corpus and on mutations of it", () => {
  const seed = seedFromEnv();
  const next = rng(seed);
  const runtime = compiledAtRunTime();
  const same = (what: string, a: Validate, b: Validate, data: unknown) => {
    const va = a(data);
    const vb = b(data);
    assert.equal(vb, va, `seed ${seed}, ${what}: verdict`);
    assert.deepEqual(vb ? null : b.errors, va ? null : a.errors, `seed ${seed}, ${what}: errors`);
    return va;
  };
  let invalid = 0;
  let checked = 0;
  for (const { name, text } of corpus()) {
    for (const doc of parseAllDocuments(text)) {
      const data = (doc as { toJS(): unknown }).toJS();
      if (!data || typeof data !== "object" || (data as { kind?: unknown }).kind !== "Topology") continue;
      for (let k = 0; k < 20; k++) {
        const d = k ? mutate(data, next) : data;
        const top = { ...(d as Record<string, unknown>) };
        for (const key of LISTS) {
          const list = top[key];
          if (!Array.isArray(list)) continue;
          top[key] = list.map(() => null);
          list.forEach((item, i) => {
            if (!same(`${name} ${key}[${i}]`, runtime.items[key], GENERATED_ITEMS[key], item)) invalid++;
            checked++;
          });
        }
        if (!same(`${name} (document level)`, runtime.root, root, top)) invalid++;
        checked++;
      }
    }
  }
  // the comparison saw both sides: valid documents and items, and many invalid ones
  assert.ok(invalid > 50 && invalid < checked, `seed ${seed}: ${invalid} invalid of ${checked}`);
});
