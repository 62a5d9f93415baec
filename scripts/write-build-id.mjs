// Run after `tsc -p tsconfig.build.json`: records the build's identity beside it (see src/lib/build-identity.ts).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const { treeHash, sourcesHash, BUILD_RECORD_FILE, CODE_EXTENSIONS } = await import('../dist/lib/build-identity.js');
const dist = path.join(root, 'dist');
const record = { code: treeHash(dist, CODE_EXTENSIONS), sources: sourcesHash(root) };
writeFileSync(path.join(dist, BUILD_RECORD_FILE), `${JSON.stringify(record)}\n`);
