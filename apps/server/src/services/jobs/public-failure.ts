import { diskFullText, isDiskFull } from "../../disk-full.js";
import type { IngestFailure } from "./ingest-runner.js";

/** A code of the `<kind>:<subject>` form a domain error carries (anything else came from inside a library). */
const domainCode = /^[a-z_]+:[A-Za-z0-9_.-]+$/;

/**
 * The failure as a document may show it. Domain errors pass as they are. A full disk becomes `unavailable:disk`
 * (retryable: it may be freed) with a plain message; any other unexpected error `internal:ingest` with a message
 * that points to the log. Raw messages of native or library errors (a LanceDB I/O error carries the path of the
 * library's build) never reach the document row. `onInternal` receives the original, for the log.
 */
export function publicFailure(
  failure: IngestFailure,
  onInternal: (failure: IngestFailure) => void,
): IngestFailure {
  if (isDiskFull(failure)) {
    onInternal(failure);
    return { code: "unavailable:disk", message: `${diskFullText} (retry the document)`, retryable: true };
  }
  if (domainCode.test(failure.code) && !failure.code.startsWith("internal")) return failure;
  onInternal(failure);
  return {
    code: "internal:ingest",
    message: "Ingestion failed with an unexpected error; the cause is in the server log",
    retryable: failure.retryable,
  };
}
