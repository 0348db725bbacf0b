/** One file inside a ZIP archive, as listed in its central directory. */
export interface ZipEntry {
  /** Path of the file inside the archive, e.g. `word/document.xml`. */
  name: string;
  /** 0 = stored, 8 = deflated; other methods are not read. */
  method: number;
  /** Size of the stored (possibly compressed) data in bytes. */
  compressedSize: number;
  /** Size of the data once decompressed, as the archive declares it. */
  uncompressedSize: number;
  /** Offset of the entry's local file header from the start of the archive. */
  localHeaderOffset: number;
}

const endOfCentralDirectorySignature = 0x06054b50;
const centralDirectorySignature = 0x02014b50;

/**
 * Lists the entries of a ZIP archive from its central directory, or returns undefined when the
 * bytes are not a readable ZIP. Only for telling what kind of file a ZIP is (see detect-type.ts); a DOCX is read and
 * checked against ZIP bomb limits with the parser's own reader (see zip-archive.ts), never with this one, which may
 * see another central directory in a crafted archive. ZIP64 archives are not supported.
 */
export function listZipEntries(bytes: Uint8Array): ZipEntry[] | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end record is 22 bytes plus a comment of at most 65535 bytes, at the very end.
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  let endOffset = -1;
  for (let offset = bytes.length - 22; offset >= lowest; offset -= 1) {
    if (view.getUint32(offset, true) === endOfCentralDirectorySignature) {
      endOffset = offset;
      break;
    }
  }
  if (endOffset < 0) return undefined;
  const count = view.getUint16(endOffset + 10, true);
  let offset = view.getUint32(endOffset + 16, true);
  const decoder = new TextDecoder("utf-8");
  const entries: ZipEntry[] = [];
  for (let index = 0; index < count; index += 1) {
    if (offset + 46 > bytes.length || view.getUint32(offset, true) !== centralDirectorySignature)
      return undefined;
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    entries.push({
      name: decoder.decode(bytes.subarray(offset + 46, offset + 46 + nameLength)),
      method: view.getUint16(offset + 10, true),
      compressedSize: view.getUint32(offset + 20, true),
      uncompressedSize: view.getUint32(offset + 24, true),
      localHeaderOffset: view.getUint32(offset + 42, true),
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
