// Istio's Helm values or IstioOperator: mesh id, cluster name, network and role.
import { asBool } from "../deployed";
import { checksFor, type KindChecks } from "../check";

/** The cluster ID istiod runs with when `global.multiCluster.clusterName` is not set. */
export const ISTIO_DEFAULT_CLUSTER_ID = "Kubernetes";

/** istio-values: meshID, clusterName, network, primary/remote. */
export const istioValues: KindChecks = (d, c) => {
  const { out, push } = checksFor(c);
  const name = c.name!.value;
  const operator = d.str(["kind"]) === "IstioOperator";
  const base = operator ? ["spec", "values"] : [];
  const get = (path: string[]) => d.get([...base, ...path]);
  const i = c.istio;
  if (i?.meshId)
    push({
      code: "drift/istio",
      field: "istio.meshId",
      dep: get(["global", "meshID"]),
      design: i.meshId.value,
      designAt: i.meshId,
      kind: "scalar",
    });
  const cn = get(["global", "multiCluster", "clusterName"]);
  push({
    code: "drift/istio",
    field: "istio.clusterName",
    dep: cn,
    design: i?.clusterName?.value ?? name,
    designAt: i?.clusterName,
    kind: "scalar",
    // istiod's chart: CLUSTER_ID is `global.multiCluster.clusterName | default "Kubernetes"` — a
    // values file without it deploys every cluster as "Kubernetes", whatever the design's default
    // (the cluster's name) says (review M108)
    deployedDefault: ISTIO_DEFAULT_CLUSTER_ID,
    deployedDefaultBy: "Istio's default",
  });
  if (i?.network)
    push({
      code: "drift/istio",
      field: "istio.network",
      dep: get(["global", "network"]),
      design: i.network.value,
      designAt: i.network,
      kind: "scalar",
    });
  const remoteOn = asBool(get(["istiodRemote", "enabled"]).value) === true;
  const profile = d.get(operator ? ["spec", "profile"] : ["profile"]);
  const role = remoteOn || profile.value === "remote" ? "remote" : "primary";
  const roleAt = remoteOn ? get(["istiodRemote", "enabled"]) : profile.present ? profile : get(["istiodRemote", "enabled"]);
  push({
    code: "drift/istio",
    field: "istio.role",
    dep: roleAt,
    design: i?.role?.value ?? "primary",
    designAt: i?.role,
    kind: "scalar",
    deployedValue: role,
    fixable: false,
  });
  return out;
};
