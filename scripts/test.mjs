#!/usr/bin/env node
// `npm test`: type-check, then run the whole suite once on SQLite and once on PostgreSQL.
// Extra arguments select test files, e.g. `npm test -- test/oauth/token.test.ts`.
// GATEHOUSE_TEST_DB=sqlite|postgres runs one backend only.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`\n${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

const files = process.argv.slice(2).length ? process.argv.slice(2) : findTests('test');
run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
const backends = process.env.GATEHOUSE_TEST_DB ? [process.env.GATEHOUSE_TEST_DB] : ['sqlite', 'postgres'];
for (const backend of backends) {
  console.log(`\n=== test suite on ${backend} ===`);
  run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
    GATEHOUSE_TEST_DB: backend,
  });
}
