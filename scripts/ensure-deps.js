#!/usr/bin/env node
// Runs `npm ci` when node_modules is missing or older than package-lock.json, so `npm start`,
// `npm test` and the benchmarks work straight after a clone or a lockfile change.
// Plain Node, no dependencies (it runs before they exist).
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const lockfile = path.join(root, 'package-lock.json');
const nodeModules = path.join(root, 'node_modules');
// npm rewrites node_modules/.package-lock.json on every install: its mtime is "last installed".
const installedMarker = path.join(nodeModules, '.package-lock.json');

function mtimeMs(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function reason() {
  if (!fs.existsSync(nodeModules)) return 'node_modules is missing';
  const lock = mtimeMs(lockfile);
  if (lock === undefined) return undefined; // no lockfile: nothing to compare (npm ci would fail anyway)
  const installed = mtimeMs(installedMarker) ?? mtimeMs(nodeModules);
  if (installed === undefined || installed < lock) return 'package-lock.json is newer than node_modules';
  return undefined;
}

const why = reason();
if (why) {
  console.error(`ensure-deps: ${why}; running npm ci…`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci'], { cwd: root, stdio: 'inherit' });
  if (result.error) {
    console.error(`ensure-deps: cannot run npm: ${result.error.message}`);
    process.exit(1);
  }
  if (result.status !== 0) process.exit(result.status ?? 1);
}
