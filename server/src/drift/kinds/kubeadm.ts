// kubeadm's ClusterConfiguration and k3s's config: pod and service ranges, and the etcd timers.
import { etcdArg, extraArg } from "../deployed";
import { checksFor, etcdTimerChecks, type KindChecks, type TimerDefaults } from "../check";

/**
 * k3s (and RKE2, which runs etcd from the same k3s package) starts its embedded etcd with a 500 ms
 * heartbeat and a 5,000 ms election timeout, not etcd's 100/1000; `etcd-arg` overrides them
 * (k3s pkg/etcd/etcd.go; review M101).
 */
export const K3S_ETCD_TIMERS: TimerDefaults = { heartbeat: 500, election: 5000, by: "k3s default" };

/** kubeadm: networking ranges and etcd.local.extraArgs timers. */
export const kubeadmConfig: KindChecks = (d, c) => {
  const { out, push, range } = checksFor(c);
  const pod = d.get(["networking", "podSubnet"]);
  if (pod.present) range("pods", pod);
  range("services", d.get(["networking", "serviceSubnet"]), "10.96.0.0/12");
  // with external etcd kubeadm runs no etcd: its timers are the etcd hosts' own flags, not in this
  // file (and etcd.local next to etcd.external is refused by kubeadm) — not compared (review M102)
  if (d.get(["etcd", "external"]).present) return out;
  const anchor = d.keySpan(["etcd", "local"]) ?? d.firstKey();
  etcdTimerChecks(push, c, (flag) => extraArg(d, ["etcd", "local", "extraArgs"], flag, anchor));
  return out;
};

/** k3s: cluster-cidr, service-cidr and etcd-arg timers. */
export const k3sConfig: KindChecks = (d, c) => {
  const { out, push, range } = checksFor(c);
  range("pods", d.get(["cluster-cidr"]), "10.42.0.0/16");
  range("services", d.get(["service-cidr"]), "10.43.0.0/16");
  // k3s runs etcd only with cluster-init (or when it joins an etcd-backed server); by default and
  // with datastore-endpoint it stores through kine (SQLite or an external datastore), which has no
  // timers: compared where the file or the design says there is an embedded etcd
  const external = d.get(["datastore-endpoint"]).present;
  // `cluster-init: false` is k3s's default written out: no etcd of its own (review)
  const init = d.get(["cluster-init"]);
  const embedded = (init.present && init.value !== false && init.value !== "false") || d.get(["etcd-arg"]).present || c.etcd !== undefined;
  if (!external && embedded) etcdTimerChecks(push, c, (flag) => etcdArg(d, flag), K3S_ETCD_TIMERS);
  return out;
};
