#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm run build`, run on `npm ci`).
import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('gatehouse: dist/ is missing; run `npm run build` first.');
  } else {
    console.error(err);
  }
  process.exit(1);
});
