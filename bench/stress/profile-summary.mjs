#!/usr/bin/env node
/**
 * Summarises a `.cpuprofile` (e.g. from `run.mjs "--server-node-args=--cpu-prof --cpu-prof-dir=DIR"`; the main
 * thread's file has thread id 0 in its name): the functions with the most self time, then the longest stretches
 * without an idle sample — the event loop blocked, what `/api/health` waits for — with what ran in them.
 *
 *   node bench/stress/profile-summary.mjs CPU.….0.001.cpuprofile [--min-ms 300]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { "min-ms": { type: "string", default: "300" }, top: { type: "string", default: "5" } },
});
const profile = JSON.parse(readFileSync(positionals[0], "utf8"));
const minMs = Number(values["min-ms"]);
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parents = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
const label = ({ callFrame }) =>
  `${callFrame.functionName || "(anonymous)"} ${callFrame.url.replace(/^.*node_modules\//, "").replace(/^.*\/(apps|packages)\//, "$1/")}:${callFrame.lineNumber + 1}`;

const self = new Map();
const stretches = [];
let busy = 0;
let inStretch = new Map();
let elapsed = 0;
profile.samples.forEach((id, index) => {
  const milliseconds = (profile.timeDeltas[index] ?? 0) / 1000;
  elapsed += milliseconds;
  const node = nodes.get(id);
  self.set(label(node), (self.get(label(node)) ?? 0) + milliseconds);
  if (node.callFrame.functionName !== "(idle)") {
    busy += milliseconds;
    const seen = new Set();
    for (let current = id; current !== undefined; current = parents.get(current))
      seen.add(label(nodes.get(current)));
    for (const frame of seen) inStretch.set(frame, (inStretch.get(frame) ?? 0) + milliseconds);
    return;
  }
  if (busy >= minMs) stretches.push({ ms: busy, endsAtMs: elapsed, frames: inStretch });
  busy = 0;
  inStretch = new Map();
});
const top = (entries, count) =>
  [...entries]
    .filter(([frame]) => !/^\((root|program|idle)\)/.test(frame) && !frame.startsWith("(anonymous) :"))
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([frame, ms]) => `  ${Math.round(ms)} ms  ${frame}`)
    .join("\n");
console.log(`Self time:\n${top(self, 15)}`);
console.log(`\n${stretches.length} stretches of ${minMs} ms or more without an idle sample; the longest:`);
for (const stretch of stretches.sort((a, b) => b.ms - a.ms).slice(0, Number(values.top)))
  console.log(
    `${Math.round(stretch.ms)} ms, ending ${(stretch.endsAtMs / 1000).toFixed(1)} s into the profile\n${top(stretch.frames, 10)}`,
  );
