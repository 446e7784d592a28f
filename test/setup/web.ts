import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

/** Browser tests need the built UI; build it when missing or older than its sources. */
export default function setup() {
  const dist = path.resolve('web/dist/index.html');
  const newest = (dir: string): number =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .reduce(
        (m, e) =>
          Math.max(m, e.isDirectory() ? newest(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).mtimeMs),
        0,
      );
  if (fs.existsSync(dist) && fs.statSync(dist).mtimeMs > newest(path.resolve('web/src'))) return;
  execFileSync(
    process.execPath,
    ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
    { stdio: 'inherit' },
  );
}
