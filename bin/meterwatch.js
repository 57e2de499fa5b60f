#!/usr/bin/env node
// Runs main.ts through tsx so the CLI works from a clone without a build step.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const NODE_FLAGS = '--max-semi-space-size=64';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
// A larger young generation: a batch pass allocates millions of short-lived objects, and
// the default semi-space makes the collector run thousands of times (benchmarks/README.md).
const env = { ...process.env, NODE_OPTIONS: `${NODE_FLAGS} ${process.env.NODE_OPTIONS ?? ''}`.trim() };
const result = spawnSync(tsx, [join(root, 'main.ts'), ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
