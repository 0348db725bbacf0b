import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { UploadedFile } from "./read-uploads.js";

/** A file of one upload request held until the whole request is accepted. */
export interface StagedFile {
  /** The client's file name. */
  name: string;
  /** Size in bytes. */
  bytes: number;
}

/**
 * The files of one upload request, written to their own folder under `root` as they stream in, so a request refused
 * part-way (a file over the limit, too many files) stores and queues nothing, while memory still holds one file at a
 * time. {@link UploadStaging.discard} removes the folder whatever happened.
 */
export class UploadStaging {
  readonly #folder: string;
  readonly #files: StagedFile[] = [];

  private constructor(folder: string) {
    this.#folder = folder;
  }

  /** Opens an empty staging folder for one request under `root`. */
  static async open(root: string): Promise<UploadStaging> {
    const folder = join(root, randomUUID());
    await mkdir(folder, { recursive: true });
    return new UploadStaging(folder);
  }

  /** Removes what a process that stopped mid-request left under `root`; called once at start. */
  static clear(root: string): void {
    rmSync(root, { recursive: true, force: true });
  }

  /** The staged files, in the order they arrived. */
  get files(): readonly StagedFile[] {
    return this.#files;
  }

  /** Writes one file to the staging folder. */
  async add(file: UploadedFile): Promise<void> {
    await writeFile(join(this.#folder, String(this.#files.length)), file.bytes);
    this.#files.push({ name: file.name, bytes: file.bytes.byteLength });
  }

  /** The bytes of the staged file at `index`. */
  async read(index: number): Promise<Uint8Array> {
    return new Uint8Array(await readFile(join(this.#folder, String(index))));
  }

  /** Removes the staging folder and everything in it. */
  async discard(): Promise<void> {
    await rm(this.#folder, { recursive: true, force: true });
  }
}
