#!/usr/bin/env node
// The package registry reachable from our build machines serves only Linux builds of
// msgpackr-extract's platform packages, so `npm install` leaves the others out of
// package-lock.json and `npm ci` then refuses the lock ("Missing: ... from lock file").
// This adds the missing optional, platform-specific entries (never installed on Linux),
// keeping the lock valid for `npm ci` everywhere. Run it after any `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const platforms = { 'darwin-arm64': ['darwin', 'arm64'], 'darwin-x64': ['darwin', 'x64'], 'linux-arm': ['linux', 'arm'], 'linux-arm64': ['linux', 'arm64'], 'linux-x64': ['linux', 'x64'], 'win32-x64': ['win32', 'x64'] };
let added = 0;
for (const [key, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const match = /^@msgpackr-extract\/msgpackr-extract-(.+)$/.exec(dep);
    if (!match) continue;
    const where = `${key ? `${key}/` : ''}node_modules/${dep}`.replace(/^node_modules\/(.*)\/node_modules\//, 'node_modules/$1/node_modules/');
    const target = lock.packages[`node_modules/${dep}`] ? `node_modules/${dep}` : where;
    if (lock.packages[`node_modules/${dep}`] || lock.packages[where]) continue;
    const [os, cpu] = platforms[match[1]] ?? [];
    if (!os) continue;
    lock.packages[target] = { version, cpu: [cpu], license: 'MIT', optional: true, os: [os] };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lockfile: added ${added} platform entries`);
