import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The compiled server entry, as `npm start` runs it (packages are built before tests). */
export const serverMainPath = fileURLToPath(new URL("../../dist/main.js", import.meta.url));

/** The admin every server started by {@link startServerProcess} has (`ADMIN_EMAIL` / `ADMIN_PASSWORD`). */
export const testAdmin = { email: "admin@example.com", password: "admin-password-1" } as const;

const cookiesByOrigin = new Map<string, string>();

async function signIn(origin: string): Promise<string> {
  const response = await fetch(`${origin}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(testAdmin),
  });
  if (response.status !== 200)
    throw new Error(`Signing in to ${origin} failed: ${response.status} ${await response.text()}`);
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  cookiesByOrigin.set(origin, cookie);
  return cookie;
}

/**
 * `fetch` as the test admin of the server at the URL's origin: signs in once per origin (again when the session is
 * gone, e.g. a new server on a reused port) and sends the session cookie and the CSRF header.
 */
export async function adminFetch(input: string, init: RequestInit = {}): Promise<Response> {
  const origin = new URL(input).origin;
  const send = (cookie: string) => {
    const headers = new Headers(init.headers);
    headers.set("cookie", cookie);
    headers.set("x-zhiku-csrf", "1");
    return fetch(input, { ...init, headers });
  };
  const response = await send(cookiesByOrigin.get(origin) ?? (await signIn(origin)));
  if (response.status !== 401) return response;
  await response.body?.cancel();
  return send(await signIn(origin));
}

/** A server process started by {@link startServerProcess}. */
export interface ServerProcess {
  child: ChildProcess;
  /** Base URL it listens on. */
  url: string;
  /** Everything it wrote to stdout and stderr so far. */
  output: () => string;
}

/**
 * Starts `node dist/main.js` on a free port with `environment` added to this process's, and resolves once it logs
 * its URL. Rejects with its output if it exits first. For tests.
 */
export function startServerProcess(environment: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [serverMainPath], {
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      ADMIN_EMAIL: testAdmin.email,
      ADMIN_PASSWORD: testAdmin.password,
      ...environment,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match) resolve({ child, url: match[1]!, output: () => output });
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) =>
      reject(new Error(`server exited with ${code} before listening:\n${output}`)),
    );
  });
}

/** Resolves with the exit code once the process has exited. */
export function processExited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** Kills (SIGKILL) the processes still running among `children`, empties the list, and waits for them to exit. */
export async function killAll(children: ChildProcess[]): Promise<void> {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await processExited(child);
    }
  }
}
