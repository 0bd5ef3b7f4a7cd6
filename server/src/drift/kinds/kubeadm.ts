// kubeadm's ClusterConfiguration and k3s's config: pod and service ranges, and the etcd timers.
import { etcdArg, extraArg } from "../deployed";
import { checksFor, etcdTimerChecks, type KindChecks } from "../check";

/** kubeadm: networking ranges and etcd.local.extraArgs timers. */
export const kubeadmConfig: KindChecks = (d, c) => {
  const { out, push, range } = checksFor(c);
  const pod = d.get(["networking", "podSubnet"]);
  if (pod.present) range("pods", pod);
  range("services", d.get(["networking", "serviceSubnet"]), "10.96.0.0/12");
  const anchor = d.keySpan(["etcd", "local"]) ?? d.firstKey();
  etcdTimerChecks(push, c, (flag) => extraArg(d, ["etcd", "local", "extraArgs"], flag, anchor));
  return out;
};

/** k3s: cluster-cidr, service-cidr and etcd-arg timers. */
export const k3sConfig: KindChecks = (d, c) => {
  const { out, push, range } = checksFor(c);
  range("pods", d.get(["cluster-cidr"]), "10.42.0.0/16");
  range("services", d.get(["service-cidr"]), "10.43.0.0/16");
  etcdTimerChecks(push, c, (flag) => etcdArg(d, flag));
  return out;
};
