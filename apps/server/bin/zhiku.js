#!/usr/bin/env node
// Committed (not built) so npm can link and mark it executable at install time, before `npm run build`.
import "../dist/cli.js";
