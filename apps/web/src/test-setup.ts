import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

// findBy/waitFor wait up to this long: lazy chunks (the Markdown renderer) load slowly when the machine is busy
// with the browser tests running beside these.
configure({ asyncUtilTimeout: 10_000 });

// Testing Library only auto-cleans when test globals are on; ours are imported explicitly.
afterEach(() => {
  cleanup();
  if (typeof window !== "undefined") window.localStorage.clear();
});
