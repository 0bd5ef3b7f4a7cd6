// The generated topologies the benchmark (and the incremental-analysis test) use.
/** A valid topology of about `bytes`: 12 sites, a stretched etcd, stores, traffic, N clusters. */
/** Cluster number `i`'s Submariner mesh and three non-overlapping ranges (v4 pods and services, v6 nodes). */
function meshedNetwork(i, indent) {
  return [
    `${indent}mesh: submariner`,
    `${indent}network:`,
    `${indent}  pods: 10.${(i >> 8) & 255}.${i & 255}.0/24`,
    `${indent}  services: 172.${16 + ((i >> 11) & 15)}.${(i >> 3) & 255}.${(i & 7) * 32}/27`,
    `${indent}  nodes: "fd00:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::/64"`,
  ];
}

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
      ...meshedNetwork(i, "    "),
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

/**
 * The second shape: many small sites. Rings of three sites (a, b, c) joined by links, four
 * clusters per site, and per ring a stretched etcd, a consensus store and a traffic entry over
 * one cluster per site — so every kind of value feeds a cross-item rule.
 */
export function generateRings(bytes) {
  const sites = ["sites:"];
  const links = ["links:"];
  const clusters = ["clusters:"];
  const stores = ["stores:"];
  const traffic = ["traffic:"];
  const head = ["apiVersion: quorate.dev/v1alpha1", "kind: Topology", "metadata:", "  name: rings"];
  let size = 200;
  let r = 0;
  let n = 0;
  while (size < bytes) {
    const s = ["a", "b", "c"].map((x) => `r${r}-${x}`);
    const add = (list, lines) => {
      list.push(...lines);
      size += lines.join("\n").length + 1;
    };
    add(
      sites,
      s.map((x, i) => `  - { name: ${x}, location: { lat: ${40 + (r % 20) + i * 0.1}, lon: ${(r % 30) + i * 0.1} } }`),
    );
    add(links, [
      `  - { between: [${s[0]}, ${s[1]}], rttMs: ${12 + (r % 5)} }`,
      `  - { between: [${s[0]}, ${s[2]}], rttMs: ${14 + (r % 5)} }`,
      `  - { between: [${s[1]}, ${s[2]}], rttMs: ${13 + (r % 5)} }`,
    ]);
    for (const [si, site] of s.entries()) {
      for (let k = 0; k < 4; k++, n++) {
        const c = [
          `  - name: ${site}-k${k}`,
          `    site: ${site}`,
          `    description: "ring ${r} cluster number ${n}"`,
          ...meshedNetwork(n, "    "),
        ];
        if (si === 0 && k === 0)
          c.push(
            "    etcd:",
            `      members: { ${s[0]}: 1, ${s[1]}: 1, ${s[2]}: 1 }`,
            "      heartbeatMs: 100",
            "      electionTimeoutMs: 1000",
          );
        add(clusters, c);
      }
    }
    add(stores, [
      `  - name: ledger-${r}`,
      "    replication: consensus",
      `    members: { ${s[0]}: 2, ${s[1]}: 2, ${s[2]}: 1 }`,
      "    writeLatencyBudgetMs: 60",
    ]);
    add(traffic, [
      `  - name: web-${r}`,
      "    steering: gslb",
      "    ttlSeconds: 60",
      "    peakRps: 30000",
      `    dependsOn: [ledger-${r}]`,
      "    backends:",
      ...s.flatMap((x) => [`      - cluster: ${x}-k1`, "        weight: 1", "        capacityRps: 20000"]),
    ]);
    r++;
  }
  return { text: `${[...head, ...sites, ...links, ...clusters, ...stores, ...traffic].join("\n")}\n`, clusters: n, rings: r };
}

/**
 * The availability bench's design: n sites at 0.999 and every link between them at 0.9995 (all
 * failing), a five-member consensus store spread over them, a crdt store writing at every site
 * and an entry point with a backend at every site depending on both, each with objectives.
 * `withAvailability` false drops every availability: the same file with no figure to compute.
 */
export function generateAvailability(n, withAvailability = true) {
  const sites = Array.from({ length: n }, (_, i) => `s${i}`);
  const av = (x) => (withAvailability ? `, availability: ${x}` : "");
  const lines = ["apiVersion: quorate.dev/v1alpha1", "kind: Topology", "metadata:", `  name: availability-${n}`, "sites:"];
  for (const s of sites) lines.push(`  - { name: ${s}${av(0.999)} }`);
  lines.push("links:");
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) lines.push(`  - { between: [${sites[i]}, ${sites[j]}], rttMs: ${5 + ((i + j) % 9)}${av(0.9995)} }`);
  lines.push("clusters:");
  for (const [i, s] of sites.entries()) lines.push(`  - { name: c${i}, site: ${s} }`);
  const five = [0, 1, 2, 3, 4].map((k) => sites[Math.floor((k * n) / 5)]);
  lines.push(
    "stores:",
    "  - name: ledger",
    "    replication: consensus",
    `    members: { ${five.map((s) => `${s}: 1`).join(", ")} }`,
    "    objectives: { availability: 0.9999, survive: [site, partition] }",
    "  - name: carts",
    "    replication: crdt",
    `    writers: [${sites.join(", ")}]`,
    "    maxLagSeconds: 5",
    "    objectives: { availability: 0.9999, conflictProbability: 0.01, rpoSeconds: 10 }",
    "traffic:",
    "  - name: web",
    "    steering: gslb",
    "    ttlSeconds: 30",
    "    peakRps: 10000",
    "    dependsOn: [ledger, carts]",
    "    healthCheck: { intervalSeconds: 5, failureThreshold: 3 }",
    "    objectives: { availability: 0.999, rtoSeconds: 60 }",
    "    backends:",
    ...sites.map((_, i) => `      - { cluster: c${i}, capacityRps: ${Math.ceil(20000 / n)} }`),
  );
  return `${lines.join("\n")}\n`;
}
