import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import { parse } from "yaml";
import { analyzeAlone } from "../../server/src/analysis";

// The schema as SchemaStore and yaml-language-server users get it: it must compile in Ajv's
// strict mode (SchemaStore's catalog requires it), the README's catalog entry must be one
// SchemaStore accepts and point at the schema's stable URL, and every example must validate.
const ROOT = join(__dirname, "..", "..", "..");
const schema = JSON.parse(readFileSync(join(ROOT, "schemas", "topology.schema.json"), "utf8"));

/** Ajv as SchemaStore runs it: strict, with the editor annotation keywords it knows. */
function strictAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true });
  ajv.addVocabulary(["markdownDescription"]);
  return ajv;
}

function files(dir: string, re: RegExp): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p, re) : re.test(n) ? [p] : [];
  });
}

test("the topology schema compiles in Ajv's strict mode (no union types, no unknown keywords)", () => {
  assert.doesNotThrow(() => strictAjv().compile(schema));
  // the check can fail: `cidrs` as a union type, as it once was, is refused; so is an unknown keyword
  const union = structuredClone(schema);
  union.definitions.cidrs = { type: ["string", "array"], items: { type: "string" }, maxItems: 2 };
  assert.throws(() => strictAjv().compile(union), /allowUnionTypes/);
  const unknown = structuredClone(schema);
  unknown.definitions.cidrs.enumLabels = ["v4", "v6"];
  assert.throws(() => strictAjv().compile(unknown), /unknown keyword: "enumLabels"/);
});

test("every example topology validates against the schema in strict mode; a wrong shape does not", () => {
  const validate = strictAjv().compile(schema);
  const examples = files(join(ROOT, "examples"), /\.topology\.ya?ml$/);
  assert.ok(examples.length >= 3, examples.join(", "));
  for (const f of examples) {
    const ok = validate(parse(readFileSync(f, "utf8")));
    assert.ok(ok, `${f}: ${JSON.stringify(validate.errors)}`);
  }
  const first = parse(readFileSync(examples[0], "utf8"));
  const cluster = first.clusters.find((c: { network?: object }) => c.network);
  for (const pods of [5, ["10.0.0.0/16", "fd00::/56", "10.1.0.0/16"], { cidr: "10.0.0.0/16" }]) {
    const bad = structuredClone(first);
    bad.clusters[first.clusters.indexOf(cluster)].network.pods = pods;
    assert.equal(validate(bad), false, JSON.stringify(pods));
  }
});

test("the README's SchemaStore catalog entry: the fields SchemaStore requires, the schema's own URL, the extension's file patterns", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const block = /SchemaStore[\s\S]*?```json\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, "a json block follows the SchemaStore paragraph");
  const entry: { fileMatch: string[]; url: string } = JSON.parse(block[1]);
  // the shape of one entry of SchemaStore's src/api/json/catalog.json
  const catalogEntry = {
    type: "object",
    required: ["name", "description", "fileMatch", "url"],
    additionalProperties: false,
    properties: {
      name: { type: "string", minLength: 1 },
      description: { type: "string", minLength: 1, not: { pattern: "\\.$" } },
      fileMatch: { type: "array", minItems: 1, items: { type: "string", minLength: 1 } },
      url: { type: "string", pattern: "^https://" },
      versions: { type: "object", additionalProperties: { type: "string" } },
    },
  };
  const check = strictAjv().compile(catalogEntry);
  assert.ok(check({ ...entry }), JSON.stringify(check.errors));
  assert.deepEqual(entry.fileMatch, ["*.topology.yaml", "*.topology.yml"]);
  assert.match(entry.url, /^https:\/\/raw\.githubusercontent\.com\/quorate\/quorate\/main\/schemas\/topology\.schema\.json$/);
  assert.equal(entry.url, schema.$id, "the catalog's url is where the schema says it lives");
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  assert.deepEqual(pkg.contributes.yamlValidation[0].fileMatch, entry.fileMatch);
  assert.deepEqual(pkg.contributes.languages[0].filenamePatterns, entry.fileMatch);
  assert.ok(pkg.repository.url.endsWith("/quorate/quorate"), "the URL names this repository");
});

test("a CIDR field's schema errors read as one message, as the union type gave (the anyOf is folded)", () => {
  const doc = (pods: string) =>
    `apiVersion: quorate.dev/v1alpha1\nkind: Topology\nmetadata: { name: t }\nsites: [{ name: fra }]\nclusters:\n  - name: c\n    site: fra\n    network:\n      pods: ${pods}\n`;
  const schemaMessages = (pods: string) =>
    analyzeAlone("t.topology.yaml", doc(pods))
      .findings.filter((f) => f.code === "schema")
      .map((f) => f.message);
  assert.deepEqual(schemaMessages("5"), ["`pods` must be a string or a list of strings, not an integer"]);
  assert.deepEqual(schemaMessages("{ cidr: 10.0.0.0/16 }"), ["`pods` must be a string or a list of strings, not a mapping"]);
  assert.deepEqual(schemaMessages("[10.0.0.0/16, fd00::/56, 10.1.0.0/16]"), ["`pods` must list at most 2 items"]);
  assert.deepEqual(schemaMessages("[10.0.0.0/16, 5]"), ["clusters[0].network.pods[1] must be a string, not an integer"]);
  assert.deepEqual(schemaMessages("10.0.0.0/16"), []);
  assert.deepEqual(schemaMessages("[10.0.0.0/16, fd00::/56]"), []);
});
