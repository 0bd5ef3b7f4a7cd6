import type { Finding } from "../model/finding";
import { submarinerSet } from "../derive/meshes";
import { count } from "../util/format";
import { listText } from "../util/strings";
import { finding, type TopologyContext } from "./context";

/** How many joined clusters the message names, and how many it links. */
const NAMED = 4;
const LINKED = 10;

/** submariner/*: what the design must say about a Submariner cluster set. */
export function submarinerRules(ctx: TopologyContext): Finding[] {
  return brokerUndeclared(ctx);
}

/**
 * submariner/broker-undeclared: two or more clusters join Submariner and none is marked as
 * running the Broker. Every cluster set has one; the design not saying where leaves the port
 * matrix without its API-server rows and the what-if without the Broker's loss. One finding,
 * where the first joined cluster says `mesh: submariner`.
 */
function brokerUndeclared(ctx: TopologyContext): Finding[] {
  const { joined, brokers } = submarinerSet(ctx);
  if (joined.length < 2 || brokers.length) return [];
  const first = joined[0];
  const at = first.meshAt?.span ?? first.name!.span;
  const names = joined.map((c) => c.name!.value);
  // a cluster set of hundreds is named by its first few and linked by its first ten
  const shown = names.length > NAMED ? [...names.slice(0, NAMED), `${count(names.length - NAMED)} more`] : names;
  return [
    finding(
      "submariner/broker-undeclared",
      at,
      `Submariner joins ${listText(shown)}, but no cluster is marked \`broker: true\`. The Broker is a Kubernetes API (on one of these clusters or a separate management cluster) that every joined cluster must reach: through it they exchange their Cluster and Endpoint records, and Lighthouse the ServiceImports and EndpointSlices of exported Services. Losing it does not cut the tunnels already up or the Services already imported, but until it returns no gateway failover, changed endpoint or new export reaches the other clusters, and no cluster can join. Mark the cluster that runs it with \`broker: true\` (a management cluster with \`mesh: none\` is declared like any other) so the port matrix opens its API server and the what-if can judge its loss`,
      {
        related: joined
          .slice(1, 1 + LINKED)
          .map((c) => ({ span: c.meshAt?.span ?? c.name!.span, message: `${c.name!.value} joins the same Submariner cluster set` })),
      },
    ),
  ];
}
