import { spawn } from "node:child_process";
import { ZhikuError } from "../errors.js";
import { readImageSize } from "./image-size.js";
import {
  DEFAULT_OCR_LANGUAGES,
  DEFAULT_OCR_MAX_PIXELS,
  DEFAULT_OCR_MIN_CONFIDENCE,
  type OcrEngine,
  type OcrOptions,
  type OcrPage,
} from "./ocr-types.js";
import { parseTesseractTsv } from "./tesseract-tsv.js";

/** Debian's package of each Tesseract language, for the fix-it message when one is missing. */
function languagePackage(language: string): string {
  return `tesseract-ocr-${language.toLowerCase().replace(/_/g, "-")}`;
}

interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs a command with `input` on stdin; rejects only when it cannot be started (or is aborted). */
function run(options: {
  command: string;
  args: string[];
  input?: Uint8Array;
  signal?: AbortSignal;
}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.command, options.args, {
      stdio: ["pipe", "pipe", "pipe"],
      // One thread per recognition: parse workers already run files side by side, and OpenMP threads on a small
      // shared machine make a page slower, not faster (bench/ocr).
      env: { ...process.env, OMP_THREAD_LIMIT: "1" },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const stdout: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (part: Buffer) => stdout.push(part));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (part: string) => {
      if (stderr.length < 4_000) stderr += part;
    });
    child.on("error", reject);
    // A closed pipe when tesseract exits early (a bad image) is reported by its exit code, not here.
    child.stdin.on("error", () => {});
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr }));
    child.stdin.end(options.input ?? new Uint8Array(0));
  });
}

function errorCode(error: unknown): string | undefined {
  return error && typeof error === "object" && "code" in error ? String(error.code) : undefined;
}

/**
 * OCR with the Tesseract 5 command (Debian `tesseract-ocr` with `tesseract-ocr-chi-sim` and `tesseract-ocr-eng`):
 * each image goes to `tesseract stdin stdout tsv` on stdin, and its TSV (words with confidence and their
 * block/paragraph/line) becomes lines in reading order (see {@link parseTesseractTsv}). Chosen over PaddleOCR
 * through ONNX by measurement (docs/ocr.md). Before the first image the installed languages are checked once per
 * engine, so a missing binary or language pack fails with `unsupported:ocr` naming the file and the package to
 * install; an image over `maxPixels` fails with `too_large:image` before anything decodes it.
 */
export function createTesseractOcr(options: OcrOptions = {}): OcrEngine {
  const command = options.command ?? "tesseract";
  const languages = options.languages ?? DEFAULT_OCR_LANGUAGES;
  const maxPixels = options.maxPixels ?? DEFAULT_OCR_MAX_PIXELS;
  const minConfidence = options.minConfidence ?? DEFAULT_OCR_MIN_CONFIDENCE;
  const wanted = languages.split("+").map((language) => language.trim());
  let installed: Promise<Set<string>> | undefined;

  const listLanguages = async (): Promise<Set<string>> => {
    const result = await run({ command, args: ["--list-langs"] });
    if (result.code !== 0)
      throw new Error(`"${command} --list-langs" exited with ${result.code}: ${result.stderr}`);
    // The first line names the tessdata folder; one language a line follows.
    return new Set(
      result.stdout
        .toString("utf8")
        .split(/\r?\n/)
        .slice(1)
        .map((line) => line.trim())
        .filter(Boolean),
    );
  };

  const checkInstalled = async (file: string): Promise<void> => {
    installed ??= listLanguages();
    let available: Set<string>;
    try {
      available = await installed;
    } catch (error) {
      installed = undefined;
      const missing = errorCode(error) === "ENOENT";
      throw new ZhikuError(
        "unsupported:ocr",
        missing
          ? `"${file}" needs OCR, but the ${command} command is not installed; install tesseract-ocr with ${wanted.map(languagePackage).join(" ")}.`
          : `"${file}" needs OCR, but ${command} does not run: ${(error as Error).message}`,
        { cause: error, file },
      );
    }
    const missingLanguages = wanted.filter((language) => !available.has(language));
    if (wanted.some((language) => language.length === 0) || missingLanguages.length > 0) {
      throw new ZhikuError(
        "unsupported:ocr",
        `"${file}" needs OCR in ${languages} (OCR_LANGUAGES), but ${command} lacks ${missingLanguages.join(", ") || "a language name"}; install ${missingLanguages.map(languagePackage).join(" ") || "the language packs"} (installed: ${[...available].join(", ") || "none"}).`,
        { file },
      );
    }
  };

  return {
    name: `tesseract ${languages}`,
    async recognize({ image, file, dpi, signal }): Promise<OcrPage> {
      const size = readImageSize(image);
      if (!size) {
        throw new ZhikuError("invalid:corrupt", `"${file}" is not a readable PNG, JPEG or WebP image.`, {
          file,
        });
      }
      if (size.width * size.height > maxPixels) {
        throw new ZhikuError(
          "too_large:image",
          `"${file}" is ${size.width}×${size.height} pixels (${((size.width * size.height) / 1e6).toFixed(1)} MP), over the ${(maxPixels / 1e6).toFixed(1)} MP OCR limit; scale it down and upload it again.`,
          { file },
        );
      }
      await checkInstalled(file);
      const args = [
        "stdin",
        "stdout",
        "-l",
        languages,
        ...(dpi ? ["--dpi", String(Math.round(dpi))] : []),
        "tsv",
      ];
      let result: RunResult;
      try {
        result = await run({ command, args, input: image, ...(signal ? { signal } : {}) });
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        throw new ZhikuError(
          "unsupported:ocr",
          `"${file}": ${command} could not be started: ${(error as Error).message}`,
          {
            cause: error,
            file,
          },
        );
      }
      if (result.code !== 0) {
        throw new ZhikuError(
          "invalid:corrupt",
          `"${file}": OCR could not read the image (${command} exited with ${result.code}): ${result.stderr.trim().split("\n").at(-1) ?? ""}`,
          { file },
        );
      }
      return parseTesseractTsv(result.stdout.toString("utf8"), { minConfidence });
    },
  };
}
