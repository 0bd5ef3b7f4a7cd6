// The generated topologies the benchmark (and the incremental-analysis test) use.
/** A valid topology of about `bytes`: 12 sites, a stretched etcd, stores, traffic, N clusters. */
export function generate(bytes) {
  const sites = Array.from({ length: 12 }, (_, i) => `site-${i}`);
  const head = [
    "apiVersion: quorate.dev/v1alpha1",
    "kind: Topology",
    "metadata:",
    "  name: bench",
    "sites:",
    ...sites.flatMap((s, i) => [`  - name: ${s}`, `    location: { lat: ${40 + i * 0.5}, lon: ${i * 0.5} }`]),
    "links:",
  ];
  for (let i = 0; i < sites.length; i++)
    for (let j = i + 1; j < sites.length; j++) head.push(`  - { between: [${sites[i]}, ${sites[j]}], rttMs: ${10 + ((i + j) % 7)} }`);
  head.push(
    "stores:",
    "  - name: ledger",
    "    replication: consensus",
    "    members: { site-0: 2, site-1: 2, site-2: 1 }",
    "    writeLatencyBudgetMs: 50",
  );
  const clusters = ["clusters:"];
  const traffic = ["traffic:", "  - name: web", "    steering: gslb", "    ttlSeconds: 60", "    peakRps: 1000000", "    backends:"];
  let size = head.join("\n").length + 200;
  let i = 0;
  while (size < bytes) {
    const c = [
      `  - name: cluster-${i}`,
      `    site: ${sites[i % sites.length]}`,
      `    description: "generated cluster number ${i} for the benchmark"`,
      `    mesh: submariner`,
      `    network:`,
      `      pods: 10.${(i >> 8) & 255}.${i & 255}.0/24`,
      `      services: 172.${16 + ((i >> 11) & 15)}.${(i >> 3) & 255}.${(i & 7) * 32}/27`,
      `      nodes: "fd00:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::/64"`,
    ];
    if (i % 50 === 0)
      c.push(
        `    etcd:`,
        `      members: { ${sites[i % 12]}: 2, ${sites[(i + 1) % 12]}: 2, ${sites[(i + 2) % 12]}: 1 }`,
        `      heartbeatMs: 100`,
        `      electionTimeoutMs: 1000`,
      );
    const b = [`      - cluster: cluster-${i}`, `        weight: 1`, `        capacityRps: 1000000`];
    clusters.push(...c);
    traffic.push(...b);
    size += c.join("\n").length + b.join("\n").length + 2;
    i++;
  }
  return { text: `${[...head, ...clusters, ...traffic].join("\n")}\n`, clusters: i };
}
