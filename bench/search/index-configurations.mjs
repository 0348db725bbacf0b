/** The vector index configurations the search benchmark builds, and how it picks query-time parameters. */

/**
 * The index configurations tried at a given size, each with its query-time choices.
 * IVF partitions follow the usual sqrt(rows) rule; HNSW uses one graph per ~100k rows.
 * Ordered by build time on a small machine, so a long run measures the quick ones first.
 * "fast" variants train the IVF k-means on fewer iterations and a smaller sample, the main
 * cost of building IVF indexes with many partitions on few cores.
 * @param {number} rows
 */
export function indexConfigurations(rows) {
  const partitions = Math.min(4096, Math.max(16, Math.round(Math.sqrt(rows))));
  const fastTraining = { maxIterations: 10, sampleRate: 64 };
  const pqQueries = [];
  for (const nprobes of [10, 20, 50]) {
    for (const refineFactor of [undefined, 5, 10]) pqQueries.push({ nprobes, refineFactor });
  }
  const fastPqQueries = [
    { nprobes: 10, refineFactor: 10 },
    { nprobes: 20, refineFactor: 5 },
    { nprobes: 20, refineFactor: 10 },
    { nprobes: 50, refineFactor: 10 },
  ];
  // RaBitQ keeps 1 bit a dimension: its estimates need re-ranking with full vectors for a good top 10.
  const rqQueries = [];
  for (const nprobes of [10, 20, 50]) {
    for (const refineFactor of [undefined, 2, 5, 10]) rqQueries.push({ nprobes, refineFactor });
  }
  const hnswPartitions = Math.max(1, Math.round(rows / 100_000));
  const hnswQueries = [];
  for (const ef of [40, 100, 200]) {
    hnswQueries.push({ nprobes: hnswPartitions, ef });
    if (hnswPartitions > 2) hnswQueries.push({ nprobes: Math.ceil(hnswPartitions / 3), ef });
  }
  const hnswPqQueries = [];
  for (const ef of [100, 200]) {
    for (const refineFactor of [undefined, 5, 10])
      hnswPqQueries.push({ nprobes: hnswPartitions, ef, refineFactor });
  }
  // IVF_FLAT keeps full vectors (exact distances within the probed partitions): a baseline for
  // what partitioning alone costs in recall. Skipped at large sizes, where it copies every vector.
  const flat = {
    name: `IVF_FLAT p=${partitions}`,
    type: "ivfFlat",
    options: { numPartitions: partitions },
    queries: [{ nprobes: 10 }, { nprobes: 20 }],
  };
  return [
    ...(rows <= 200_000 ? [flat] : []),
    {
      name: `IVF_RQ p=${partitions} bits=1`,
      type: "ivfRq",
      options: { numPartitions: partitions, numBits: 1 },
      queries: rqQueries,
    },
    {
      name: `IVF_RQ p=${partitions} bits=1 fast`,
      type: "ivfRq",
      options: { numPartitions: partitions, numBits: 1, ...fastTraining },
      queries: rqQueries,
    },
    {
      name: `IVF_HNSW_SQ p=${hnswPartitions} m=20`,
      type: "hnswSq",
      options: { numPartitions: hnswPartitions, m: 20, efConstruction: 150 },
      queries: hnswQueries,
    },
    {
      name: `IVF_HNSW_PQ p=${hnswPartitions} m=20 sub=64`,
      type: "hnswPq",
      options: { numPartitions: hnswPartitions, numSubVectors: 64, m: 20, efConstruction: 150 },
      queries: hnswPqQueries,
    },
    {
      name: `IVF_PQ p=${partitions} sub=64`,
      type: "ivfPq",
      options: { numPartitions: partitions, numSubVectors: 64 },
      queries: pqQueries,
    },
    {
      name: `IVF_PQ p=${partitions} sub=64 fast`,
      type: "ivfPq",
      options: { numPartitions: partitions, numSubVectors: 64, ...fastTraining },
      queries: fastPqQueries,
    },
    {
      name: `IVF_PQ p=${partitions} sub=128`,
      type: "ivfPq",
      options: { numPartitions: partitions, numSubVectors: 128 },
      queries: pqQueries,
    },
  ];
}

/**
 * Whether a configuration is selected by `--only` (when given) and not excluded by `--skip`;
 * entries are index types (`ivfRq`) or parts of configuration names (`sub=128`, `fast`).
 * @param {{ name: string, type: string }} configuration
 * @param {{ only: Set<string>, skip: Set<string> }} filters
 */
export function isSelected(configuration, { only, skip }) {
  const matches = (entry) => configuration.type === entry || configuration.name.includes(entry);
  if (only.size > 0 && ![...only].some(matches)) return false;
  return ![...skip].some(matches);
}

/**
 * The cheapest query-time choice (lowest p95) whose recall@10 is at least 0.95,
 * or the most accurate one when none reaches it.
 * @param {{ parameters: object, p95Ms: number, recallAt10: number }[]} measured
 */
export function chooseParameters(measured) {
  const good = measured.filter((entry) => entry.recallAt10 >= 0.95).sort((a, b) => a.p95Ms - b.p95Ms);
  if (good.length > 0) return good[0];
  return [...measured].sort((a, b) => b.recallAt10 - a.recallAt10 || a.p95Ms - b.p95Ms)[0];
}
