import { en, type MessageKey } from "./en";
import type { Translate } from "./i18n";

/** An error as the server reports it: `{ code, message }`, the message written by the server in English. */
export interface ServerErrorLike {
  /** The server's code such as "invalid:encrypted"; empty or unknown codes keep the server's message. */
  code?: string | null | undefined;
  /** The server's own message, shown when the catalog has nothing for the code. */
  message: string;
}

/** Options of {@link localizeError}. */
export interface LocalizeErrorOptions {
  /** The error to describe. */
  error: ServerErrorLike;
  /** Translates into the current interface language. */
  t: Translate;
  /** The file the error is about (a document's name, `error.file` of an upload), for per-file messages. */
  name?: string | null | undefined;
}

const prefix = "apiError.";

/** The catalog key for a server error code, if the catalogs have one. */
export function errorMessageKey(code: string | null | undefined): MessageKey | null {
  if (!code) return null;
  const key = `${prefix}${code}`;
  return key in en ? (key as MessageKey) : null;
}

/**
 * Says a server error in the interface language: a known `code` becomes its catalog message (with the file's name
 * where the message is about a file, and the server's message where the catalog's leads into it); an unknown code, or a per-file message without a name to put in it, keeps
 * the server's own message, so nothing the server said is lost.
 */
export function localizeError(options: LocalizeErrorOptions): string {
  const { error, t, name } = options;
  const key = errorMessageKey(error.code);
  if (!key) return error.message;
  const needsName = en[key].includes("{name}");
  if (needsName && !name) return error.message;
  // `{message}` lets a catalog message lead into details only the server knows (the fetched address and why).
  return t(key, { ...(needsName && name ? { name } : {}), message: error.message });
}
