import { spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

// How Compose merges the CPU variant into docker-compose.yml, and whether the stack builds and runs, is checked with
// a real Docker engine by scripts/compose-check.sh (run by .ci/run). These tests cover the files on their own.

type Yaml = Record<string, unknown>;

async function readYaml(name: string): Promise<Yaml> {
  return parse(await readFile(new URL(`../${name}`, import.meta.url), "utf8")) as Yaml;
}

async function composeValidator() {
  const schema = JSON.parse(
    await readFile(new URL("../schemas/compose-spec.json", import.meta.url), "utf8"),
  ) as Yaml;
  expect(schema.$schema).toMatch(/draft-07/);
  // Ajv's default class implements draft-07; the schema names its meta-schema by an https URL that Ajv does not
  // register, so it is left out here rather than fetched.
  const { $schema: _metaSchema, ...draft07Schema } = schema;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(draft07Schema);
}

describe("docker-compose.yml", () => {
  it("is valid against the Compose specification schema, which rejects a broken file", async () => {
    const validate = await composeValidator();
    const compose = await readYaml("docker-compose.yml");
    const valid = validate(compose);
    expect((validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`)).toEqual([]);
    expect(valid).toBe(true);
    const services = compose.services as Record<string, Yaml>;
    const broken = { ...compose, services: { ...services, app: { ...services.app, ports: "3000" } } };
    expect(validate(broken)).toBe(false);
  });

  it("uses nothing Docker Engine 20.10 rejects, and never pulls the buildable app", async () => {
    const compose = await readYaml("docker-compose.yml");
    const { app, ollama } = compose.services as Record<string, Yaml>;
    expect(ollama!.healthcheck).not.toHaveProperty("start_interval");
    expect(app!.healthcheck).not.toHaveProperty("start_interval");
    expect(app).toMatchObject({ build: ".", pull_policy: "build", init: true });
  });

  it("passes the admin, URL allowlist, proxy, reranker, public URL, secret key and OCR language settings to the app", async () => {
    const compose = await readYaml("docker-compose.yml");
    const { app } = compose.services as Record<string, Yaml>;
    for (const name of [
      "ADMIN_EMAIL",
      "ADMIN_PASSWORD",
      "URL_ALLOWLIST",
      "TRUST_PROXY",
      "RERANK_URL",
      "RERANK_MODEL",
      "RERANK_TIMEOUT_MS",
      "PUBLIC_URL",
      "SECRET_KEY",
      "OCR_LANGUAGES",
    ]) {
      expect(app!.environment, name).toHaveProperty(name, `\${${name}:-}`);
    }
  });
});

describe("the rerank profile", () => {
  it("runs llama.cpp's server with --reranking on a GGUF from a mounted folder, with the ollama service's GPU reservation", async () => {
    const compose = await readYaml("docker-compose.yml");
    const { reranker, ollama, app } = compose.services as Record<string, Yaml>;
    expect(reranker).toBeDefined();
    // Only with the profile: a plain `docker compose up` starts no reranker, and the app never waits for one.
    expect(reranker!.profiles).toEqual(["rerank"]);
    expect(ollama).not.toHaveProperty("profiles");
    expect(app).not.toHaveProperty("profiles");
    expect(Object.keys((app!.depends_on as Yaml) ?? {})).toEqual(["ollama"]);
    expect(reranker!.image).toMatch(/^\$\{RERANK_IMAGE:-[^}]*llama\.cpp:server-cuda\}$/);
    const command = reranker!.command as string[];
    expect(command).toContain("--reranking");
    expect(command.slice(command.indexOf("--pooling"), command.indexOf("--pooling") + 2)).toEqual([
      "--pooling",
      "rank",
    ]);
    expect(command[command.indexOf("--model") + 1]).toBe(
      `/models/\${RERANK_GGUF:-bge-reranker-v2-m3-Q8_0.gguf}`,
    );
    expect(command[command.indexOf("--port") + 1]).toBe("8080");
    expect(reranker!.volumes).toEqual([`\${RERANK_GGUF_DIR:-./reranker-models}:/models:ro`]);
    expect(reranker!.deploy).toEqual(ollama!.deploy);
    expect(reranker!.healthcheck).not.toHaveProperty("start_interval");
  });

  it("runs on the CPU image without a GPU reservation in the CPU variant", async () => {
    const text = await readFile(new URL("../docker-compose.cpu.yml", import.meta.url), "utf8");
    // Compose's `!reset` tag, read as a marker so the merge it asks for can be checked.
    const cpu = parse(text, {
      customTags: [{ tag: "!reset", resolve: () => "reset" }],
    }) as Yaml;
    const { reranker, ollama } = cpu.services as Record<string, Yaml>;
    expect(ollama!.deploy).toBe("reset");
    expect(reranker!.deploy).toBe("reset");
    expect(reranker!.image).toMatch(/^\$\{RERANK_IMAGE:-[^}]*llama\.cpp:server\}$/);
  });
});

describe("Dockerfile", () => {
  it("needs no frontend image and installs dependencies before the sources are copied", async () => {
    const dockerfile = await readFile(new URL("../Dockerfile", import.meta.url), "utf8");
    expect(dockerfile).not.toMatch(/^#\s*syntax=/m);
    const build = dockerfile.slice(dockerfile.indexOf("AS build"), dockerfile.indexOf("AS runtime"));
    expect(build.indexOf("RUN npm ci")).toBeGreaterThan(-1);
    expect(build.indexOf("RUN npm ci")).toBeLessThan(build.indexOf("COPY . ."));
    const production = dockerfile.slice(
      dockerfile.indexOf("AS production-dependencies"),
      dockerfile.indexOf("AS build"),
    );
    expect(production).toMatch(/RUN npm run prune:production/);
    expect(production).not.toMatch(/COPY \. /);
  });
});

const here = fileURLToPath(new URL(".", import.meta.url));

/** Runs a script with bash; resolves with its exit code and output. */
function runBash(
  args: string[],
  options: {
    env?: Record<string, string>;
    input?: string;
    onOutput?: (text: string, kill: () => void) => void;
  },
) {
  return new Promise<{ code: number | null; signal: string | null; output: string }>((resolve) => {
    const child = spawn("bash", args, { env: { ...process.env, ...options.env } });
    let output = "";
    const kill = () => child.kill("SIGTERM");
    const take = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      options.onOutput?.(output, kill);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("exit", () => options.onExit?.());
    child.on("close", (code, signal) => resolve({ code, signal, output }));
    child.stdin.end(options.input ?? "");
  });
}

describe("pull-progress.sh", () => {
  it("turns a redrawn progress bar into one line per interval, and keeps errors and the end", async () => {
    const redraws = Array.from(
      { length: 2_000 },
      (_, index) =>
        `\x1b[?25l\x1b[2K\x1b[1Gpulling 1a2b3c4d5e6f: ${Math.floor(index / 20)}% ▕██  ▏ 1.2 GB/4.7 GB\r`,
    ).join("");
    const { code, output } = await runBash([join(here, "pull-progress.sh"), "qwen2.5:7b"], {
      env: { PULL_PROGRESS_SECONDS: "3600" },
      input: `pulling manifest\n${redraws}\nverifying sha256 digest\nsuccess\n`,
    });
    expect(code).toBe(0);
    expect(output.trim().split("\n")).toEqual([
      "[zhiku-ollama] qwen2.5:7b: pulling manifest",
      "[zhiku-ollama] qwen2.5:7b: success",
    ]);

    const failed = await runBash([join(here, "pull-progress.sh"), "qwen25:7b"], {
      env: { PULL_PROGRESS_SECONDS: "3600" },
      input: "pulling manifest \r\x1b[?25h\nError: pull model manifest: file does not exist\n",
    });
    expect(failed.output).toContain(
      "[zhiku-ollama] qwen25:7b: Error: pull model manifest: file does not exist",
    );
  });
});

describe("ollama-entrypoint.sh", () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "zhiku-entrypoint-"));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  /** A fake `ollama` command: serves until TERM, has the models in $FOLDER/installed, fails pulls as told. */
  async function fakeOllama(pull: string) {
    const script = `#!/bin/bash
folder="${folder}"
case "$1" in
  serve) trap 'exit 0' TERM; while true; do sleep 0.1; done ;;
  list) exit 0 ;;
  show) grep -qx "$2" "$folder/installed" 2>/dev/null ;;
  pull) echo "$2" >>"$folder/pulls"; ${pull} ;;
esac
`;
    await writeFile(join(folder, "ollama"), script);
    await chmod(join(folder, "ollama"), 0o755);
    await writeFile(join(folder, "installed"), "bge-m3\n");
  }

  function runEntrypoint(
    env: Record<string, string>,
    onOutput?: (text: string, kill: () => void) => void,
    onExit?: () => void,
  ) {
    return runBash([join(here, "ollama-entrypoint.sh")], {
      onExit,
      env: {
        PATH: `${folder}:${process.env.PATH}`,
        MODEL_SETTLED_FILE: join(folder, "settled"),
        MODEL_PULL_RETRY_SECONDS: "0",
        EMBED_MODEL: "bge-m3",
        ...env,
      },
      onOutput: onOutput ?? ((text, kill) => text.includes("starting without") && kill()),
    });
  }

  it("does not retry a name the library lacks, says why, and lets the app start", async () => {
    await fakeOllama(
      'echo "pulling manifest"; echo "Error: pull model manifest: file does not exist"; exit 1',
    );
    const { output } = await runEntrypoint({ CHAT_MODEL: "qwen25:7b" });
    expect(output).toContain("cannot pull qwen25:7b: Error: pull model manifest: file does not exist");
    expect(output).toContain("starting without qwen25:7b");
    expect(await readFile(join(folder, "pulls"), "utf8")).toBe("qwen25:7b\n");
    expect(await readFile(join(folder, "settled"), "utf8")).toBe("");
  });

  it("gives up after MODEL_PULL_ATTEMPTS failed pulls with the last reason", async () => {
    await fakeOllama('echo "Error: dial tcp: lookup registry: no such host"; exit 1');
    const { output } = await runEntrypoint({ CHAT_MODEL: "qwen2.5:7b", MODEL_PULL_ATTEMPTS: "2" });
    expect(output).toContain(
      "pulling qwen2.5:7b failed (attempt 1 of 2): Error: dial tcp: lookup registry: no such host",
    );
    expect(output).toContain("giving up on qwen2.5:7b after 2 attempts");
    expect(await readFile(join(folder, "pulls"), "utf8")).toBe("qwen2.5:7b\nqwen2.5:7b\n");
  });

  it("ends on TERM while a pull is running", async () => {
    await fakeOllama('echo "pulling manifest"; echo $$ >"$folder/pull.pid"; exec sleep 600');
    const { code, output } = await runEntrypoint(
      { CHAT_MODEL: "qwen2.5:7b" },
      (text, kill) => {
        if (text.includes("qwen2.5:7b: pulling manifest")) kill();
      },
      // In a container the pull ends with its PID 1; here the stand-in pull is ended by hand, as it holds the output.
      () => {
        void readFile(join(folder, "pull.pid"), "utf8").then((pid) => process.kill(Number(pid), "SIGTERM"));
      },
    );
    expect(output).not.toContain("qwen2.5:7b is ready");
    expect(code).toBe(0);
  });
});
