// One reader per deployment file kind: what each compares. A new kind in deployed.ts's
// DEPLOY_KINDS is a build error here until its reader is listed.
import type { DeployKind } from "../deployed";
import type { KindChecks } from "../check";
import { ciliumValues } from "./cilium";
import { istioValues } from "./istio";
import { k3sConfig, kubeadmConfig } from "./kubeadm";
import { linkerdLink, linkerdMulticluster, linkerdValues } from "./linkerd";
import { submariner } from "./submariner";

/** What to compare for one document of one kind (shared design/drift.md, "What is compared"). */
export const KIND_CHECKS: { readonly [K in DeployKind]: KindChecks } = {
  "cilium-values": ciliumValues,
  kubeadm: kubeadmConfig,
  k3s: k3sConfig,
  submariner,
  "istio-values": istioValues,
  "linkerd-values": linkerdValues,
  "linkerd-multicluster-values": linkerdMulticluster,
  "linkerd-link": linkerdLink,
};
