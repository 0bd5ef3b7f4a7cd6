import type { Finding } from "../model/finding";
import { finding, type TopologyContext } from "./context";

export const CLUSTERMESH_NAME = /^([a-z0-9][-a-z0-9]*)?[a-z0-9]$/;
export const CLUSTERMESH_NAME_MAX = 32;
export const DEFAULT_MAX_CONNECTED = 255;

/** mesh/*: Cilium ClusterMesh identity (name, id, maxConnectedClusters). */
export function meshRules(ctx: TopologyContext): Finding[] {
  const out: Finding[] = [];
  const meshed = ctx.topology.clusters.filter((c) => c.mesh === "clustermesh");
  const firstId = new Map<number, string>();
  const ref = meshed[0];
  const refMax = ref?.maxConnectedClusters?.value ?? DEFAULT_MAX_CONNECTED;
  for (const c of meshed) {
    const name = c.name;
    if (name) {
      const why: string[] = [];
      if (name.value.length > CLUSTERMESH_NAME_MAX)
        why.push(`it has ${name.value.length} characters; ClusterMesh allows at most ${CLUSTERMESH_NAME_MAX}`);
      if (!CLUSTERMESH_NAME.test(name.value))
        why.push("it must be lowercase letters, digits and '-', starting and ending with a letter or digit");
      if (name.value === "default") why.push("`default` is reserved");
      if (why.length)
        out.push(finding("mesh/cluster-name", name.span, `ClusterMesh cluster name \`${name.value}\` is invalid: ${why.join("; ")}`));
    }
    const ownMax = c.maxConnectedClusters?.value === 511 ? 511 : DEFAULT_MAX_CONNECTED;
    const id = c.id;
    if (!c.invalid.has("id")) {
      if (!id) {
        if (name)
          out.push(
            finding(
              "mesh/cluster-id-range",
              name.span,
              `ClusterMesh cluster ${name.value} has no id; each needs a unique id in 1..${ownMax}`,
            ),
          );
      } else if (!Number.isInteger(id.value) || id.value < 1 || id.value > ownMax) {
        out.push(
          finding(
            "mesh/cluster-id-range",
            id.span,
            `cluster id ${id.value} is outside 1..${ownMax}${ownMax === DEFAULT_MAX_CONNECTED ? " (1..511 needs maxConnectedClusters: 511 on every cluster)" : ""}`,
          ),
        );
      }
      if (id) {
        const prev = firstId.get(id.value);
        if (prev !== undefined) {
          out.push(
            finding(
              "mesh/cluster-id-duplicate",
              id.span,
              `cluster id ${id.value} is already used by ${prev}: identities from the two clusters would collide`,
            ),
          );
        } else firstId.set(id.value, name?.value ?? `clusters[${c.index}]`);
      }
    }
    if (c !== ref && !c.invalid.has("maxConnectedClusters")) {
      const mine = c.maxConnectedClusters?.value ?? DEFAULT_MAX_CONNECTED;
      if (mine !== refMax) {
        const at = c.maxConnectedClusters?.span ?? name?.span;
        const mineText = c.maxConnectedClusters ? `maxConnectedClusters ${mine}` : `the default maxConnectedClusters ${mine}`;
        if (at) {
          out.push(
            finding(
              "mesh/max-connected-mismatch",
              at,
              `${name?.value ?? "this cluster"} uses ${mineText} but ${ref.name?.value ?? "the first ClusterMesh cluster"} uses ${refMax}: it is set at install and must match on every cluster`,
            ),
          );
        }
      }
    }
  }
  return out;
}
