#!/usr/bin/env node
/**
 * Issue 19 item 1 on paper, from the figures `growth.mjs` measured: what folding would cost per MB ingested, at 10k,
 * 100k and 1M chunks, under three policies. A LanceDB 0.31 fold (`optimize`) costs about `held × rows held + fresh
 * × rows new to the indexes`; both constants are fitted (least squares) to every fold `growth.mjs` timed — the fold
 * of each 1 MB batch and the fold of the 50k-row tail. Prepare and write CPU per MB are taken as measured.
 *
 *   node bench/ingest/growth-model.mjs [--in bench/results/growth.json] [--out bench/results/growth-model.json]
 *
 * Policies:
 * - "fixed": today's store: a forced fold at the end of each run (one 1 MB run here), and in one long bulk import
 *   a fold every 5,000 new rows;
 * - "fraction f": fold once the unfolded tail holds f × the table, leaving the tail to LanceDB's scan of unindexed
 *   rows meanwhile (the tail's search figures are in growth.json: the tail size is what decides);
 * - "segments T": the workspace's chunks in several tables, each folded whole; a batch becomes a new segment and T
 *   segments of one size are merged into one of the next (size-tiered): each row is written and indexed again at
 *   each of the log_T(rows / batch) levels it passes, so it costs `(held + fresh) × (levels + 1)`; a search visits
 *   up to `(T - 1) × ⌈levels⌉ + 1` tables.
 */
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    in: { type: "string", default: "bench/results/growth.json" },
    out: { type: "string", default: "bench/results/growth-model.json" },
  },
});
const measured = JSON.parse(await readFile(values.in, "utf8"));
if (!Array.isArray(measured.sizes) || measured.sizes.length === 0)
  throw new Error(`${values.in}: no "sizes" measured`);

// Every timed fold: rows the table held before it, rows it folded in, its CPU in ms.
const folds = [];
for (const entry of measured.sizes) {
  const { batch } = entry;
  folds.push({
    held: batch.rowsAfter - batch.newRows,
    fresh: batch.newRows,
    cpuMs: batch.cpuMsPerMb.fold * batch.megabytes,
  });
  if (entry.fold)
    folds.push({
      held: entry.fold.rowsAfter - entry.fold.newRows,
      fresh: entry.fold.newRows,
      cpuMs: entry.fold.cpuMs,
    });
}
// Least squares for cpu = held × a + fresh × b (no constant: an empty fold costs next to nothing).
let sumHeldHeld = 0;
let sumHeldFresh = 0;
let sumFreshFresh = 0;
let sumHeldCpu = 0;
let sumFreshCpu = 0;
for (const { held, fresh, cpuMs } of folds) {
  sumHeldHeld += held * held;
  sumHeldFresh += held * fresh;
  sumFreshFresh += fresh * fresh;
  sumHeldCpu += held * cpuMs;
  sumFreshCpu += fresh * cpuMs;
}
const determinant = sumHeldHeld * sumFreshFresh - sumHeldFresh * sumHeldFresh;
if (folds.length < 2 || Math.abs(determinant) < 1e-9)
  throw new Error(`${values.in}: need folds of two different shapes (run growth.mjs with --tails)`);
const heldMsPerRow = (sumHeldCpu * sumFreshFresh - sumFreshCpu * sumHeldFresh) / determinant;
const freshMsPerRow = (sumFreshCpu * sumHeldHeld - sumHeldCpu * sumHeldFresh) / determinant;

const first = measured.sizes[0].batch;
const rowsPerMb = first.newRows / first.megabytes;
const measuredAt = (size) =>
  measured.sizes.find((entry) => entry.size === size)?.batch ?? measured.sizes.at(-1).batch;
const foldMsPerMb = {
  "fixed, one fold per 1 MB run": (rows) => heldMsPerRow * rows + freshMsPerRow * rowsPerMb,
  "fixed, bulk import (a fold every 5,000 rows)": (rows) =>
    rowsPerMb * (freshMsPerRow + (heldMsPerRow * rows) / 5_000),
};
for (const fraction of [0.05, 0.1, 0.25])
  foldMsPerMb[`fraction ${fraction}`] = () =>
    rowsPerMb * (freshMsPerRow + (heldMsPerRow * (1 + fraction)) / fraction);
/** Levels of size-tiered segments a row has passed through, on average, once the table holds `rows`. */
const levelsOf = (rows, growth) => Math.max(0, Math.log(rows / rowsPerMb) / Math.log(growth));
for (const growth of [4, 8])
  foldMsPerMb[`segments ×${growth}`] = (rows) =>
    rowsPerMb * (heldMsPerRow + freshMsPerRow) * (levelsOf(rows, growth) + 1);

const sizes = [10_000, 100_000, 1_000_000];
const policies = Object.entries(foldMsPerMb).map(([policy, fold]) => {
  const points = sizes.map((rows) => {
    const batch = measuredAt(rows);
    const prepareAndWrite = batch.cpuMsPerMb.prepare + batch.cpuMsPerMb.write;
    return {
      rows,
      foldMsPerMb: Math.round(fold(rows)),
      totalMsPerMb: Math.round(prepareAndWrite + fold(rows)),
    };
  });
  const extra = {};
  if (policy.startsWith("fraction"))
    extra.largestUnfoldedTail = sizes.map((rows) => Math.round(rows * Number(policy.split(" ")[1])));
  if (policy.startsWith("segments"))
    extra.tablesSearched = sizes.map(
      (rows) =>
        (Number(policy.split("×")[1]) - 1) * Math.ceil(levelsOf(rows, Number(policy.split("×")[1]))) + 1,
    );
  return {
    policy,
    points,
    ratioTo10k: points.map((point) => Number((point.totalMsPerMb / points[0].totalMsPerMb).toFixed(2))),
    ...extra,
  };
});

const model = {
  from: values.in,
  vectors: measured.vectors,
  fit: {
    folds,
    heldUsPerRow: Number((heldMsPerRow * 1000).toFixed(1)),
    freshUsPerRow: Number((freshMsPerRow * 1000).toFixed(1)),
    rowsPerMb: Math.round(rowsPerMb),
  },
  policies,
};
console.log(
  `fold CPU ≈ ${model.fit.heldUsPerRow} µs a row held + ${model.fit.freshUsPerRow} µs a new row (${folds.length} folds); ${model.fit.rowsPerMb} rows a MB`,
);
for (const { policy, points, ratioTo10k, largestUnfoldedTail, tablesSearched } of policies) {
  console.log(
    `${policy}: CPU-ms/MB ${points.map((point) => `${point.rows}: ${point.totalMsPerMb} (fold ${point.foldMsPerMb})`).join(", ")}; ×${ratioTo10k.join(" / ×")}` +
      (largestUnfoldedTail ? `; tail up to ${largestUnfoldedTail.join(" / ")} rows unfolded` : "") +
      (tablesSearched ? `; up to ${tablesSearched.join(" / ")} tables a search` : ""),
  );
}
await writeFile(values.out, `${JSON.stringify(model, null, 2)}\n`);
console.log(`wrote ${values.out}`);
