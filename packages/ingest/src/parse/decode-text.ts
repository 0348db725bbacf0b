import chardet from "chardet";
import { ZhikuError } from "../errors.js";

/** Text decoded from bytes, with the encoding it was decoded from. */
export interface DecodedText {
  /** The text, byte order mark removed and line endings normalised to `\n`. */
  text: string;
  /** WHATWG label of the encoding, e.g. `utf-8`, `utf-16le`, `gb18030`, `big5`. */
  encoding: string;
}

/** Options for {@link decodeText}. */
export interface DecodeTextOptions {
  /** The bytes to decode. */
  bytes: Uint8Array;
  /** File name, for error messages. */
  name: string;
  /** Encoding the file declares about itself (an HTML `<meta charset>`), tried when the bytes are not UTF-8. */
  declaredEncoding?: string;
}

/** chardet names → WHATWG labels that Node's TextDecoder accepts. GBK and GB2312 are read as their superset. */
const labelByChardetName: Record<string, string> = {
  "UTF-8": "utf-8",
  "UTF-16LE": "utf-16le",
  "UTF-16BE": "utf-16be",
  GB18030: "gb18030",
  Big5: "big5",
  Shift_JIS: "shift_jis",
  "EUC-JP": "euc-jp",
  "EUC-KR": "euc-kr",
  "ISO-2022-JP": "iso-2022-jp",
  "KOI8-R": "koi8-r",
};

/** How much of a file chardet looks at; it is slow on large inputs and a sample is enough. */
const detectionSampleBytes = 64 * 1024;

function normaliseLabel(label: string): string | undefined {
  const mapped = labelByChardetName[label] ?? label.toLowerCase();
  const normalised = /^(gbk|gb2312|gb_2312-80|x-gbk)$/.test(mapped) ? "gb18030" : mapped;
  try {
    new TextDecoder(normalised);
    return normalised;
  } catch {
    return undefined;
  }
}

/** U+FFFD and the control characters counted by {@link badCharacterShares}. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const badCharacter = /[\ufffd\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f]/;

/** Share of characters that no text should be full of: U+FFFD and C0/C1 controls other than tab, newline, form feed, carriage return. */
function badCharacterShares(text: string): { replacement: number; control: number } {
  let replacement = 0;
  let control = 0;
  const length = Math.min(text.length, 256 * 1024);
  // Most text has none at all: one native scan answers that without a loop over every character.
  if (!badCharacter.test(length < text.length ? text.slice(0, length) : text))
    return { replacement, control };
  for (let index = 0; index < length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 0xfffd) replacement += 1;
    else if (
      (code < 0x20 && code !== 9 && code !== 10 && code !== 12 && code !== 13) ||
      (code >= 0x7f && code <= 0x9f)
    ) {
      control += 1;
    }
  }
  return { replacement: replacement / Math.max(length, 1), control: control / Math.max(length, 1) };
}

/** Guesses UTF-16 without a byte order mark from the pattern of zero bytes in ASCII-heavy text. */
function utf16WithoutBom(bytes: Uint8Array): string | undefined {
  const length = Math.min(bytes.length, 8192) & ~1;
  if (length < 4) return undefined;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let index = 0; index < length; index += 2) {
    if (bytes[index] === 0) evenZeros += 1;
    if (bytes[index + 1] === 0) oddZeros += 1;
  }
  const pairs = length / 2;
  if (oddZeros / pairs > 0.4 && evenZeros / pairs < 0.05) return "utf-16le";
  if (evenZeros / pairs > 0.4 && oddZeros / pairs < 0.05) return "utf-16be";
  return undefined;
}

function hasZeroByte(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, 8192);
  for (let index = 0; index < end; index += 1) if (bytes[index] === 0) return true;
  return false;
}

function finish(text: string, encoding: string): DecodedText {
  return { text: text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text, encoding };
}

/**
 * Decodes the bytes of a text file: a byte order mark (UTF-8, UTF-16 LE/BE) decides first, then
 * valid UTF-8, then the declared encoding, then chardet's best supported guess (GB18030/GBK,
 * Big5, Shift_JIS, …). Fails with `invalid:binary` when the bytes hold NULs or decode into mostly
 * control or replacement characters, and with `invalid:encoding` when no encoding decodes them cleanly.
 */
export function decodeText(options: DecodeTextOptions): DecodedText {
  const { bytes, name } = options;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    try {
      return checked(new TextDecoder("utf-8", { fatal: true }).decode(bytes), "utf-8", name);
    } catch (error) {
      if (error instanceof ZhikuError) throw error;
      throw new ZhikuError(
        "invalid:encoding",
        `"${name}" starts with a UTF-8 byte order mark but is not valid UTF-8.`,
        {
          cause: error,
        },
      );
    }
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe)
    return checked(new TextDecoder("utf-16le").decode(bytes), "utf-16le", name);
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return checked(new TextDecoder("utf-16be").decode(bytes), "utf-16be", name);

  if (hasZeroByte(bytes)) {
    const utf16 = utf16WithoutBom(bytes);
    if (utf16) return checked(new TextDecoder(utf16).decode(bytes), utf16, name);
    throw new ZhikuError("invalid:binary", `"${name}" contains binary data (NUL bytes), not text.`);
  }

  try {
    return checked(new TextDecoder("utf-8", { fatal: true }).decode(bytes), "utf-8", name);
  } catch (error) {
    if (error instanceof ZhikuError) throw error;
    // Not UTF-8: fall through to the declared encoding and detection.
  }

  const candidates: string[] = [];
  const declared = options.declaredEncoding ? normaliseLabel(options.declaredEncoding) : undefined;
  if (declared && declared !== "utf-8") candidates.push(declared);
  for (const match of chardet.analyse(bytes.subarray(0, detectionSampleBytes))) {
    const label = normaliseLabel(match.name);
    if (label && label !== "utf-8" && !label.startsWith("utf-16") && !label.startsWith("utf-32")) {
      if (!candidates.includes(label)) candidates.push(label);
    }
  }
  let lastShares = { replacement: 1, control: 1 };
  for (const label of candidates.slice(0, 4)) {
    const text = new TextDecoder(label).decode(bytes);
    const shares = badCharacterShares(text);
    if (shares.replacement + shares.control > 0.3) {
      lastShares = shares;
      continue;
    }
    if (shares.replacement <= 0.001 && shares.control <= 0.01) return finish(text, label);
    lastShares = shares;
  }
  if (lastShares.replacement + lastShares.control > 0.3) {
    throw new ZhikuError(
      "invalid:binary",
      `"${name}" does not decode as text in any known encoding; it looks like binary data.`,
    );
  }
  throw new ZhikuError(
    "invalid:encoding",
    `"${name}" could not be decoded cleanly (tried UTF-8${candidates.length ? `, ${candidates.slice(0, 4).join(", ")}` : ""}); save it as UTF-8 and try again.`,
  );
}

function checked(text: string, encoding: string, name: string): DecodedText {
  const shares = badCharacterShares(text);
  if (shares.replacement + shares.control > 0.3) {
    throw new ZhikuError(
      "invalid:binary",
      `"${name}" decodes as ${encoding} into mostly control characters; it looks like binary data.`,
    );
  }
  return finish(text, encoding);
}
