import { type StandInOllama, startStandInOllama } from "@zhiku/stand-in-ollama";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOllamaAccess, createOllamaStatusMonitor, type OllamaStatusMonitor } from "./ollama.js";

describe("createOllamaStatusMonitor", () => {
  let standIn: StandInOllama;
  let clock: number;
  let monitor: OllamaStatusMonitor;
  const asked = () => standIn.requests.filter((request) => request.path === "/api/tags").length;

  beforeAll(async () => {
    standIn = await startStandInOllama({ models: ["bge-m3", "qwen2.5:7b"] });
  });
  afterAll(async () => {
    await standIn.close();
  });
  beforeEach(() => {
    standIn.setOptions({ models: ["bge-m3", "qwen2.5:7b"], unavailable: false });
    clock = 1_000_000;
    monitor = createOllamaStatusMonitor({
      ollama: createOllamaAccess(standIn.url),
      chatModel: "qwen2.5:7b",
      embedModel: "bge-m3",
      freshForMs: 2_000,
      staleForMs: 30_000,
      now: () => clock,
    });
  });

  it("asks Ollama on the first call and answers from that status while it is fresh", async () => {
    const before = asked();
    const first = await monitor.current();
    expect(first).toMatchObject({
      reachable: true,
      chatModel: { available: true },
      embedModel: { available: true },
    });
    expect(first.checkedAt).toBe(new Date(1_000_000).toISOString());
    standIn.setOptions({ models: ["bge-m3"] });
    clock += 1_999;
    expect(await monitor.current()).toEqual(first);
    expect(asked() - before).toBe(1);
  });

  it("answers a stale status at once and asks again in the background; the next call has the new one", async () => {
    await monitor.current();
    standIn.setOptions({ models: ["bge-m3"] });
    clock += 5_000;
    const stale = await monitor.current();
    expect(stale.chatModel.available).toBe(true);
    await expect.poll(async () => (await monitor.current()).chatModel.available).toBe(false);
    expect((await monitor.current()).checkedAt).toBe(new Date(1_005_000).toISOString());
  });

  it("waits for Ollama when the status is older than staleForMs, and reports an unreachable Ollama", async () => {
    await monitor.current();
    standIn.setOptions({ unavailable: "close" });
    clock += 30_000;
    const status = await monitor.current();
    expect(status).toMatchObject({
      reachable: false,
      chatModel: { available: false },
      embedModel: { available: false },
    });
  });

  it("shares one request among calls that come together, and forgets the status on invalidate()", async () => {
    const before = asked();
    const together = await Promise.all([monitor.current(), monitor.current(), monitor.current()]);
    expect(asked() - before).toBe(1);
    expect(new Set(together.map((status) => status.checkedAt)).size).toBe(1);
    standIn.setOptions({ models: ["qwen2.5:7b"] });
    monitor.invalidate();
    expect((await monitor.current()).embedModel.available).toBe(false);
    expect(asked() - before).toBe(2);
  });

  it("asks Ollama now when asked for a fresh status, even while the latest is fresh", async () => {
    await monitor.current();
    standIn.setOptions({ models: ["bge-m3"] });
    const before = asked();
    expect((await monitor.current({ fresh: true })).chatModel.available).toBe(false);
    expect(asked() - before).toBe(1);
    expect((await monitor.current()).chatModel.available).toBe(false);
  });

  it("does not keep an answer asked for before invalidate()", async () => {
    const before = asked();
    const early = monitor.current();
    monitor.invalidate();
    await early;
    await monitor.current();
    expect(asked() - before).toBe(2);
  });
});
