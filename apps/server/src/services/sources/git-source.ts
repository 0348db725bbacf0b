import { execFile } from "node:child_process";
import { mkdir, realpath, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { ZhikuError } from "@zhiku/ingest";
import type { AddressPolicy } from "../documents/address-policy.js";
import { checkUrlHost } from "../documents/fetch-page.js";
import { extensionOfPath, readItem, resolveAllowedDirectory } from "./folder-source.js";
import type { GitConfig, ItemLister, ListedItem } from "./source-types.js";

const run = promisify(execFile);

/** Files a Git source ingests: Markdown and plain text. */
const gitExtensions = new Set("md markdown mdx txt text rst adoc".split(" "));

/** Longest one git command may take, in ms (a first clone of a large repository included). */
const gitTimeoutMs = 10 * 60 * 1000;

/** A repository address in the form git is handed: a checked remote URL, or a `file://` URL of a local repository. */
export interface GitRemote {
  /** What `git clone` gets. */
  url: string;
  /** For remotes, the URL whose host was checked against the address policy; null for local repositories. */
  checkedHost: URL | null;
}

/**
 * Checks a Git source's repository address: `https://`, `http://` and `ssh://` (or `user@host:path`) remotes whose
 * host the SSRF rules allow (`URL_ALLOWLIST`), or a local repository (`file://` or an absolute path) under
 * `SOURCE_FOLDER_ROOTS`. Other schemes (`ext::`, `git://`, options) are refused with `invalid:config.url`.
 */
export async function resolveGitRemote(options: {
  url: string;
  policy: AddressPolicy;
  folderRoots: readonly string[];
}): Promise<GitRemote> {
  const { url, policy, folderRoots } = options;
  const invalid = (reason: string) => new ZhikuError("invalid:config.url", `config.url: ${reason}`);
  // `-...` would be an option to git, `transport::address` a remote helper (ext:: runs commands).
  if (url.startsWith("-") || url.includes("::") || /[\s\p{Cc}]/u.test(url)) {
    throw invalid(`${url} is not a repository address such as https://example.com/team/handbook.git`);
  }
  if (url.startsWith("/") || url.startsWith("file://")) {
    const path = url.startsWith("file://") ? fileURLToPath(url) : url;
    const directory = await resolveAllowedDirectory({ path, roots: folderRoots, field: "config.url" });
    return { url: pathToFileURL(directory).href, checkedHost: null };
  }
  const scpLike = /^([A-Za-z0-9._-]+@)?([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(?!\/\/)(.+)$/.exec(url);
  let parsed: URL;
  try {
    parsed = scpLike ? new URL(`ssh://${scpLike[1] ?? ""}${scpLike[2]}/${scpLike[3]}`) : new URL(url);
  } catch {
    throw invalid(`${url} is not a repository address such as https://example.com/team/handbook.git`);
  }
  if (!["https:", "http:", "ssh:"].includes(parsed.protocol)) {
    throw invalid(`${parsed.protocol} addresses are not supported; use https://, ssh:// or a local path`);
  }
  if (parsed.username && parsed.protocol !== "ssh:") {
    throw invalid("credentials in the address are not accepted; use a public or a deploy-key repository");
  }
  await checkUrlHost(parsed, policy);
  return { url, checkedHost: parsed };
}

async function git(args: string[], options: { ceiling: string; signal: AbortSignal }): Promise<string> {
  try {
    const { stdout } = await run("git", args, {
      signal: options.signal,
      timeout: gitTimeoutMs,
      maxBuffer: 64 * 1024 * 1024,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? homedir(),
        GIT_TERMINAL_PROMPT: "0",
        GIT_CONFIG_NOSYSTEM: "1",
        // Only these transports, whatever a repository's configuration or submodules ask for.
        GIT_ALLOW_PROTOCOL: "https:http:ssh:file",
        GIT_SSH_COMMAND: "ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new",
        LC_ALL: "C",
        // A missing checkout must not be mistaken for a repository above it (a data dir inside a project checkout).
        GIT_CEILING_DIRECTORIES: options.ceiling,
      },
    });
    return stdout;
  } catch (error) {
    throw new Error(`git ${subcommandOf(args)} failed: ${reasonOf(error)}`, { cause: error });
  }
}

/** The git command run (`clone`, `fetch`), past the `-c name=value` and `-C directory` options. */
function subcommandOf(args: readonly string[]): string {
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg === "-c" || arg === "-C") index += 1;
    else if (!arg.startsWith("-")) return arg;
  }
  return "";
}

/** git's own words for a failure: its `fatal:` and `error:` lines (never the checkout's path on the server). */
function reasonOf(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr ?? "";
  const lines = stderr
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => /^(fatal|error|remote):/.test(line));
  if (lines.length > 0) return lines.slice(-3).join(" ");
  if ((error as { killed?: boolean }).killed) return "it took too long";
  return (error as Error).message.split("\n")[0] ?? "unknown error";
}

/**
 * Brings a shallow checkout of the branch up to date in `directory` (cloned the first time, fetched and reset
 * after; cloned afresh when the repository address changed), with the system git run without a shell. Redirects are
 * not followed, so a remote cannot send git to an address the policy refuses.
 */
async function updateCheckout(options: {
  remote: GitRemote;
  branch: string;
  directory: string;
  signal: AbortSignal;
}): Promise<void> {
  const { remote, branch, directory, signal } = options;
  const ceiling = dirname(directory);
  const safety = [
    "-c",
    "http.followRedirects=false",
    "-c",
    "core.symlinks=false",
    "-c",
    "protocol.ext.allow=never",
  ];
  const current = await git(["-C", directory, "config", "--get", "remote.origin.url"], {
    ceiling,
    signal,
  }).catch(() => undefined);
  if (current?.trim() !== remote.url) {
    await rm(directory, { recursive: true, force: true });
    await mkdir(dirname(directory), { recursive: true });
    await git(
      [
        ...safety,
        "clone",
        "--depth",
        "1",
        "--single-branch",
        "--no-tags",
        "--branch",
        branch,
        "--",
        remote.url,
        directory,
      ],
      { ceiling, signal },
    );
    return;
  }
  await git([...safety, "-C", directory, "fetch", "--depth", "1", "--no-tags", "origin", branch], {
    ceiling,
    signal,
  });
  await git(["-C", directory, "reset", "--hard", "--quiet", "FETCH_HEAD"], { ceiling, signal });
}

/**
 * Lists the Markdown and text files of a branch as a source's items: the checkout in `directory` is updated first,
 * then every regular file of the commit (`git ls-tree`; symbolic links and submodules are skipped) with a Markdown or
 * text extension is read. Keys are paths in the repository; names are `<prefix>/<path>`.
 */
export function listGitItems(options: {
  config: GitConfig;
  /** Checks the repository address (again at each sync: DNS or the allow-list may have changed). */
  resolveRemote: () => Promise<GitRemote>;
  /** The source's checkout, under DATA_DIR. */
  directory: string;
  namePrefix: string;
  maxBytes: number;
}): ItemLister {
  return async function* list(signal) {
    const remote = await options.resolveRemote();
    await updateCheckout({ remote, branch: options.config.branch, directory: options.directory, signal });
    const root = await realpath(options.directory);
    const tree = await git(["-C", root, "ls-tree", "-r", "-z", "--full-tree", "HEAD"], {
      ceiling: dirname(root),
      signal,
    });
    for (const entry of tree.split("\0")) {
      signal.throwIfAborted();
      const match = /^(\d+) (\w+) [0-9a-f]+\t(.+)$/s.exec(entry);
      if (!match) continue;
      const [, mode, type, path] = match as unknown as [string, string, string, string];
      if (type !== "blob" || (mode !== "100644" && mode !== "100755")) continue;
      if (!gitExtensions.has(extensionOfPath(path))) continue;
      const file = join(root, path);
      // A path git reports is inside the checkout; checked anyway, since it is read from disk.
      if (relative(root, file).startsWith("..")) continue;
      yield (await readItem({
        path: file,
        key: path,
        name: `${options.namePrefix}/${path}`,
        maxBytes: options.maxBytes,
      })) satisfies ListedItem;
    }
  };
}
