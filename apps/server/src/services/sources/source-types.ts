import { z } from "zod";

/** The kinds of source a workspace can sync from. */
export const sourceKinds = ["folder", "website", "git"] as const;

/** A kind of source. */
export type SourceKind = (typeof sourceKinds)[number];

/** Settings of a folder source: a directory on the server, under one of `SOURCE_FOLDER_ROOTS`. */
export const folderConfigSchema = z.object({
  path: z.string().min(1).max(4_000).describe("Absolute directory on the server, under SOURCE_FOLDER_ROOTS"),
});

/** Settings of a website source: where the crawl starts and how far it goes. */
export const websiteConfigSchema = z.object({
  url: z
    .url({ protocol: /^https?$/, error: "expected an http(s) URL" })
    .max(2_000)
    .describe("Start page, or a sitemap (an address ending in .xml) whose pages are the start"),
  maxDepth: z.int().min(0).max(10).default(2).describe("Links followed away from the start pages"),
  maxPages: z.int().min(1).max(5_000).default(200).describe("Pages fetched at most per sync"),
});

/** Settings of a Git source: a repository and the branch whose Markdown and text files are synced. */
export const gitConfigSchema = z.object({
  url: z
    .string()
    .min(1)
    .max(2_000)
    .describe("https://, ssh:// or user@host:path address; file:// or a path under SOURCE_FOLDER_ROOTS"),
  branch: z
    .string()
    .min(1)
    .max(250)
    .regex(/^(?!-)[A-Za-z0-9._/-]+$/, "expected a branch name such as main")
    .default("main")
    .describe("Branch to sync"),
});

/** A folder source's settings. */
export type FolderConfig = z.infer<typeof folderConfigSchema>;
/** A website source's settings. */
export type WebsiteConfig = z.infer<typeof websiteConfigSchema>;
/** A Git source's settings. */
export type GitConfig = z.infer<typeof gitConfigSchema>;

/** A source's kind with its settings. */
export type SourceSpec =
  | { kind: "folder"; config: FolderConfig }
  | { kind: "website"; config: WebsiteConfig }
  | { kind: "git"; config: GitConfig };

/** How the last sync went. */
export type SyncStatus = "running" | "done" | "failed";

/** The counts of one sync. */
export interface SyncCounts {
  /** Items seen for the first time, queued for ingestion. */
  added: number;
  /** Items whose content changed, queued for ingestion. */
  updated: number;
  /** Documents deleted because their item vanished. */
  deleted: number;
  /** Items with the content already ingested, skipped. */
  unchanged: number;
  /** Items that could not be read or fetched (their documents are kept). */
  failed: number;
}

/** The outcome of a source's last sync. */
export interface LastSync extends SyncCounts {
  status: SyncStatus;
  startedAt: string;
  finishedAt: string | null;
  /** The last error of the sync: of a failing item (`key: reason`) or of the sync as a whole. */
  error: string | null;
}

/** A source as stored and returned by the API. */
export type SourceRecord = SourceSpec & {
  id: string;
  workspaceId: string;
  name: string;
  /** Minutes between scheduled syncs; 0 syncs only on demand (and a folder when it changes). */
  intervalMinutes: number;
  createdAt: string;
  updatedAt: string;
  /** Null before the first sync. */
  lastSync: LastSync | null;
};

/**
 * One item a source lists: its key (a relative path or a URL), the document name it is stored under, and its
 * bytes; or, when it could not be read, the reason (its document, if any, is kept); or word that it is gone (a page
 * that answers 404), so its document goes even when other items failed.
 */
export type ListedItem =
  | { key: string; name: string; bytes: Uint8Array }
  | { key: string; error: string }
  | { key: string; gone: true };

/** Lists a source's items; stops early when `signal` aborts. A failure of the whole listing is thrown. */
export type ItemLister = (signal: AbortSignal) => AsyncIterable<ListedItem>;
