// Submariner: the Broker's Globalnet switch and the Submariner CR's (or Helm values') identity and ranges.
import { checksFor, type KindChecks } from "../check";

/** submariner: Broker / Submariner CR, or the Helm chart values. */
export const submariner: KindChecks = (d, c) => {
  const { out, push, range } = checksFor(c);
  const name = c.name!.value;
  const k = d.str(["kind"]);
  const helm = k === undefined;
  if (k === "Broker" || helm) {
    const g = helm ? d.get(["broker", "globalnet"]) : d.get(["spec", "globalnetEnabled"]);
    push({
      code: "drift/cidr",
      field: "globalnet",
      dep: g,
      design: c.globalnet,
      designAt: c.globalnetAt,
      kind: "bool",
      deployedDefault: false,
    });
  }
  if (k === "Submariner" || helm) {
    const at = (crd: string, values: string) => (helm ? d.get(["submariner", values]) : d.get(["spec", crd]));
    const id = at("clusterID", "clusterId");
    if (id.present)
      push({
        code: "drift/cluster-identity",
        field: "name",
        dep: id,
        design: name,
        designAt: c.name,
        kind: "scalar",
        adopt: false,
      });
    const cc = at("clusterCIDR", "clusterCidr");
    if (cc.present) range("pods", cc);
    const sc = at("serviceCIDR", "serviceCidr");
    if (sc.present) range("services", sc);
    const gc = at("globalCIDR", "globalCidr");
    if (gc.present && c.globalCidr)
      push({
        code: "drift/cidr",
        field: "network.globalCidr",
        dep: gc,
        design: [c.globalCidr.value],
        designAt: { span: c.globalCidr.span },
        kind: "cidrs",
      });
  }
  return out;
};
