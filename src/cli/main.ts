#!/usr/bin/env -S node --max-semi-space-size=1
// A small young generation: the engine's garbage is short-lived, and V8's default lets it pile
// up to about 25 MB more resident memory (bench/engine-rss). `npm start` and the systemd unit
// in docs/operations.md pass the same flag, since they run node on this file directly.
// Checked before anything else loads: on an older Node the first import of node:sqlite fails
// with a stack trace, which says nothing of what to do.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(
    `custody: Node ${process.versions.node} is too old; custody needs Node 22.13 or newer (for node:sqlite) — run it through npm (npm start, npm run custody -- …), which uses the Node 24 the project pins, or put node_modules/.bin first on PATH\n`,
  );
  process.exit(1);
}
await import('./program.ts');
