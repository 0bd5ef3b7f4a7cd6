import type { Finding } from "../model/finding";
import { lagBytesNeeded } from "../math/lag";
import { ceil, cmp, fromNumber } from "../math/rational";
import { declaredSites } from "../derive/meshes";
import { bytes, count, seconds } from "../util/format";
import { finding, type TopologyContext } from "./context";

/** data/*: writers without a conflict policy, replication lag that does not fit. */
export function dataRules(ctx: TopologyContext): Finding[] {
  const out: Finding[] = [];
  for (const s of ctx.topology.stores) {
    const rep = s.replication?.value;
    const name = s.name?.value ?? `stores[${s.index}]`;
    if ((rep === "async" || rep === "crdt") && s.writers) {
      const sites = declaredSites(ctx, s.writers.items);
      const policy = s.conflictResolution?.value;
      if (sites.length >= 2 && (policy === undefined || policy === "none")) {
        out.push(
          finding(
            "data/multi-writer-without-conflict-policy",
            s.writers.keySpan,
            `store ${name} takes writes in ${sites.length} sites (${sites.join(", ")}) with ${policy ? "conflictResolution: none" : "no conflictResolution"}: concurrent writes to one key in two sites diverge`,
            { fixes: [{ kind: "single-writer", title: `Keep a single writer (\`${sites[0]}\`)`, args: { site: sites[0] } }] },
          ),
        );
      }
    }
    const { maxLagSeconds: lag, writeRatePerSecond: rate, writeBytes: size, lagBufferBytes: buffer } = s;
    if (rep === "async" && lag && rate && size && buffer) {
      const needed = lagBytesNeeded(lag.value, rate.value, size.value);
      if (cmp(needed, fromNumber(buffer.value)) > 0) {
        const need = ceil(needed);
        out.push(
          finding(
            "data/lag-buffer",
            buffer.span,
            `store ${name}: ${seconds(lag.value, 2)} of lag × ${count(rate.value)} writes/s × ${count(size.value)} bytes = ${bytes(need)}, more than lagBufferBytes ${bytes(buffer.value)}; the buffer covers ${seconds(buffer.value / (rate.value * size.value))}`,
            {
              // a buffer past 2^53 − 1 bytes could not be written exactly (value/too-large): no fix then
              fixes:
                need <= BigInt(Number.MAX_SAFE_INTEGER)
                  ? [
                      {
                        kind: "replace",
                        title: `Set lagBufferBytes to ${count(need)}`,
                        span: buffer.span,
                        text: need.toString(),
                        preferred: true,
                      },
                    ]
                  : [],
            },
          ),
        );
      }
    }
  }
  return out;
}
