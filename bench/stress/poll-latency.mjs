/**
 * Worker thread of `run.mjs`: polls each of `workerData.urls` every 100 ms, each in its own loop, until the parent
 * posts "stop", then posts `{ [url]: [[startedAtEpochMs, tookMs], …] }`. It runs apart from the driver's event loop
 * (busy with uploads and 30 chat streams), so a sample measures the server, not the driver.
 */
import { parentPort, workerData } from "node:worker_threads";

let polling = true;
parentPort.once("message", () => {
  polling = false;
});

async function poll(url, samples) {
  while (polling) {
    const started = performance.now();
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      await response.body?.cancel();
      samples.push([Math.round(performance.timeOrigin + started), Math.round(performance.now() - started)]);
    } catch {
      // The server is down (a crash, counted by the driver) or restarting.
    }
    await new Promise((done) => setTimeout(done, 100));
  }
}

const samples = Object.fromEntries(workerData.urls.map((url) => [url, []]));
await Promise.all(workerData.urls.map((url) => poll(url, samples[url])));
parentPort.postMessage(samples);
