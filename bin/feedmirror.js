#!/usr/bin/env node
import module from 'node:module';

// Node 22+ caches compiled modules on disk: a cron run of ~100 small modules then starts faster.
// Node 20 has no such cache; the call is skipped there.
module.enableCompileCache?.();

const { main } = await import('../dist/cli/main.js');
await main(process.argv);
