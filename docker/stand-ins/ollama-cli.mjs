#!/usr/bin/env node
// STAND-IN `ollama` command for the stand-in Ollama image (docker/stand-ins/ollama.Dockerfile): `serve` runs the
// repository's stand-in Ollama server on 0.0.0.0:11434; `list`, `show MODEL` and `pull MODEL` talk to it over
// HTTP like the real command. The stand-in server installs any name it is asked to pull, so this command plays
// the model library: names outside STAND_IN_LIBRARY fail the way a mistyped name fails with real Ollama
// ("Error: pull model manifest: file does not exist"). Progress is drawn with carriage returns and escapes as the
// real command does, so the entrypoint's log filter has something real to filter.
import { spawn } from "node:child_process";

const library = (process.env.STAND_IN_LIBRARY ?? "bge-m3 qwen2.5:7b qwen2.5:3b qwen2.5:14b nomic-embed-text")
  .split(/\s+/)
  .filter(Boolean);
const installedAtStart = (process.env.STAND_IN_INSTALLED ?? "all-minilm").split(/\s+/).filter(Boolean);
const host = (process.env.OLLAMA_HOST ?? "127.0.0.1:11434").replace(/^(?!https?:\/\/)/, "http://");
const withTag = (name) => (name.includes(":") ? name : `${name}:latest`);

async function call(path, body) {
  const response = await fetch(`${host}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response;
}

function fail(message) {
  process.stderr.write(`Error: ${message}\n`);
  process.exit(1);
}

const [command, name] = process.argv.slice(2);
switch (command) {
  case "serve": {
    const args = ["/opt/stand-in/main.js", "--host", "0.0.0.0", "--port", "11434"];
    for (const model of installedAtStart) args.push("--model", model);
    const server = spawn(process.execPath, args, { stdio: "inherit" });
    for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.kill(signal));
    server.on("exit", (code, signal) => process.exit(code ?? (signal ? 143 : 1)));
    break;
  }
  case "list": {
    const response = await call("/api/tags").catch((error) =>
      fail(`could not connect to ollama: ${error.message}`),
    );
    const { models } = await response.json();
    console.log("NAME\tID\tSIZE");
    for (const model of models) console.log(`${model.name}\t${model.digest.slice(0, 12)}\t${model.size}`);
    break;
  }
  case "show": {
    const response = await call("/api/show", { model: name }).catch((error) => fail(error.message));
    if (!response.ok) fail(`model '${name}' not found`);
    console.log(JSON.stringify(await response.json()).slice(0, 200));
    break;
  }
  case "pull": {
    process.stdout.write("\x1b[?25lpulling manifest \r");
    if (!library.map(withTag).includes(withTag(name ?? ""))) {
      process.stdout.write("\x1b[?25h\n");
      fail("pull model manifest: file does not exist");
    }
    const response = await call("/api/pull", { model: name, stream: true }).catch((error) =>
      fail(error.message),
    );
    if (!response.ok || !response.body) fail(`pull failed: HTTP ${response.status}`);
    let buffered = "";
    for await (const chunk of response.body) {
      buffered += Buffer.from(chunk).toString("utf8");
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines.filter(Boolean)) {
        const event = JSON.parse(line);
        if (event.error) fail(event.error);
        const percent = event.total ? ` ${Math.round((100 * (event.completed ?? 0)) / event.total)}%` : "";
        process.stdout.write(`\x1b[2K\x1b[1G${event.status}${percent} \r`);
      }
    }
    process.stdout.write("\x1b[?25h\n");
    break;
  }
  default:
    fail(`the stand-in ollama command has no "${command ?? ""}" subcommand (serve, list, show, pull)`);
}
