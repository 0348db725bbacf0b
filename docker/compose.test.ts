import { readFile } from "node:fs/promises";
import { Ajv, type ErrorObject } from "ajv";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { parse, type ScalarTag } from "yaml";

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** Marks a value tagged `!reset` in an override file: Compose removes the attribute when merging. */
const RESET = Symbol("reset");

const resetTag: ScalarTag = {
  tag: "!reset",
  resolve: () => RESET as unknown as string,
};

type Yaml = Record<string, unknown>;

async function readYaml(name: string): Promise<Yaml> {
  const text = await readFile(new URL(`../${name}`, import.meta.url), "utf8");
  return parse(text, { customTags: [resetTag] }) as Yaml;
}

function isMapping(value: unknown): value is Yaml {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Merges a Compose override into a base the way `docker compose -f base -f override` does for the attributes
 * used here: mappings merge key by key, sequences are appended, scalars are replaced, `!reset` removes the
 * attribute, and `command`, `entrypoint` and `healthcheck.test` are replaced rather than appended.
 */
function mergeCompose(base: unknown, override: unknown, key = ""): unknown {
  if (isMapping(base) && isMapping(override)) {
    const merged: Yaml = { ...base };
    for (const [name, value] of Object.entries(override)) {
      if (value === RESET) delete merged[name];
      else merged[name] = name in base ? mergeCompose(base[name], value, name) : value;
    }
    return merged;
  }
  if (Array.isArray(base) && Array.isArray(override) && !["command", "entrypoint", "test"].includes(key)) {
    return [...base, ...override];
  }
  return override;
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

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message}`).join("\n");
}

function service(compose: Yaml, name: string): Yaml {
  const services = compose.services as Yaml;
  const found = services[name];
  if (!isMapping(found)) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

describe("docker-compose.yml", () => {
  it("is valid against the Compose specification schema", async () => {
    const validate = await composeValidator();
    const compose = await readYaml("docker-compose.yml");
    const valid = validate(compose);
    expect(describeErrors(validate.errors)).toBe("");
    expect(valid).toBe(true);
  });

  it("rejects a file that breaks the schema, so the validation above has teeth", async () => {
    const validate = await composeValidator();
    const compose = await readYaml("docker-compose.yml");
    const broken = mergeCompose(compose, { services: { app: { ports: "3000", restart: ["always"] } } });
    expect(validate(broken)).toBe(false);
  });

  it("runs ollama on the NVIDIA GPU with a model volume, model pulls and a healthcheck", async () => {
    const compose = await readYaml("docker-compose.yml");
    const ollama = service(compose, "ollama");
    expect(String(ollama.image)).toMatch(/^ollama\/ollama(:|$)/);
    expect(ollama.deploy).toEqual({
      resources: { reservations: { devices: [{ driver: "nvidia", count: "all", capabilities: ["gpu"] }] } },
    });
    const volumes = ollama.volumes as string[];
    expect(volumes).toContain("ollama-models:/root/.ollama");
    expect(compose.volumes).toHaveProperty("ollama-models");

    // The entrypoint script is mounted from this repository and pulls both models.
    const mount = volumes.find((volume) => volume.startsWith("./docker/ollama-entrypoint.sh:"));
    expect(mount).toBeDefined();
    const entrypointTarget = mount!.split(":")[1]!;
    expect(ollama.entrypoint).toEqual(["/bin/bash", entrypointTarget]);
    const script = await readFile(new URL("./ollama-entrypoint.sh", import.meta.url), "utf8");
    expect(script).toMatch(/ollama serve &/);
    expect(script).toMatch(/for model in "\$EMBED_MODEL" "\$CHAT_MODEL"/);
    expect(script).toMatch(/ollama pull "\$1"/);
    expect(ollama.environment).toMatchObject({
      CHAT_MODEL: expect.stringContaining("CHAT_MODEL"),
      EMBED_MODEL: expect.stringContaining("EMBED_MODEL"),
    });

    const healthcheck = ollama.healthcheck as Yaml;
    expect((healthcheck.test as string[])[0]).toBe("CMD-SHELL");
    expect((healthcheck.test as string[])[1]).toMatch(
      /ollama show "\$\$EMBED_MODEL".*ollama show "\$\$CHAT_MODEL"/,
    );
    expect(ollama.restart).toBe("unless-stopped");
  });

  it("builds the app from this repository, publishes 3000, keeps data in a volume and waits for ollama", async () => {
    const compose = await readYaml("docker-compose.yml");
    const app = service(compose, "app");
    expect(app.build).toBe(".");
    expect(app.ports).toEqual([expect.stringMatching(/^\$\{ZHIKU_PORT:-3000\}:3000$/)]);
    expect(app.volumes).toEqual(["zhiku-data:/data"]);
    expect(compose.volumes).toHaveProperty("zhiku-data");
    expect(app.environment).toMatchObject({
      OLLAMA_HOST: "http://ollama:11434",
      DATA_DIR: "/data",
      PORT: "3000",
    });
    expect(app.depends_on).toMatchObject({ ollama: { condition: "service_healthy" } });
    expect(app.restart).toBe("unless-stopped");

    const healthcheck = app.healthcheck as Yaml;
    expect(healthcheck.test).toEqual(["CMD", "node", "docker/healthcheck.mjs"]);
    const probe = await readFile(new URL("./healthcheck.mjs", import.meta.url), "utf8");
    expect(probe).toContain("/api/health");
  });

  it("has a CPU-only variant that drops the GPU reservation and keeps everything else", async () => {
    const validate = await composeValidator();
    const base = await readYaml("docker-compose.yml");
    const override = await readYaml("docker-compose.cpu.yml");
    const merged = mergeCompose(base, override) as Yaml;
    const valid = validate(merged);
    expect(describeErrors(validate.errors)).toBe("");
    expect(valid).toBe(true);

    const ollama = service(merged, "ollama");
    expect(ollama).not.toHaveProperty("deploy");
    const { deploy: _gpu, ...baseOllama } = service(base, "ollama");
    expect(ollama).toEqual(baseOllama);
    expect(service(merged, "app")).toEqual(service(base, "app"));
  });
});

describe("Dockerfile", () => {
  it("builds with npm scripts that exist, and runs unprivileged with /data, port 3000 and a healthcheck", async () => {
    const dockerfile = await readFile(new URL("../Dockerfile", import.meta.url), "utf8");
    const packageJson = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as {
      scripts: Record<string, string>;
    };
    const stages = [...dockerfile.matchAll(/^FROM (\S+) AS (\w+)/gm)].map((match) => [match[1], match[2]]);
    expect(stages).toEqual([
      ["node:20-bookworm-slim", "build"],
      ["node:20-bookworm-slim", "runtime"],
    ]);
    for (const [, script] of dockerfile.matchAll(/npm run ([\w:-]+)/g)) {
      expect(packageJson.scripts, `npm run ${script}`).toHaveProperty(script!);
    }
    const runtime = dockerfile.slice(dockerfile.indexOf("AS runtime"));
    expect(runtime).toMatch(/DATA_DIR=\/data/);
    expect(runtime).toMatch(/NODE_ENV=production/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^VOLUME \/data$/m);
    expect(runtime).toMatch(/^EXPOSE 3000$/m);
    expect(runtime).toMatch(/HEALTHCHECK[\s\S]*CMD \["node", "docker\/healthcheck\.mjs"\]/);
    expect(runtime).toMatch(/^CMD \["node", "apps\/server\/dist\/main\.js"\]$/m);
  });
});
