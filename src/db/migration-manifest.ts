import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

/**
 * Committed migrations are append-only: manifest.json beside them records each file's SHA-256 when
 * it was added. `checkManifest` (a unit test and CI) fails when a recorded file changed or is gone,
 * or when a migration is not recorded yet; `npm run migrations:manifest` records new files and
 * refuses to touch recorded ones. (migrate.ts also refuses to start on a database where an applied
 * file changed; this catches the edit before it reaches anyone's data.)
 */
export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
const MANIFEST = 'manifest.json';

export type Manifest = Record<string, string>;

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

export function readManifest(dir = MIGRATIONS_DIR): Manifest {
  const file = path.join(dir, MANIFEST);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest) : {};
}

/** Every way the migrations differ from the manifest, in words (empty when they agree). */
export function checkManifest(dir = MIGRATIONS_DIR, manifest = readManifest(dir)): string[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const problems: string[] = [];
  for (const [name, hash] of Object.entries(manifest)) {
    if (!files.includes(name)) problems.push(`${name}: committed migration was removed`);
    else if (sha256(path.join(dir, name)) !== hash)
      problems.push(`${name}: committed migration was edited (append a new migration instead)`);
  }
  for (const f of files)
    if (!(f in manifest)) problems.push(`${f}: not in ${MANIFEST} yet (run npm run migrations:manifest)`);
  return problems;
}

/** Records new migrations; refuses when a recorded one changed or is gone. Returns the names added. */
export function appendManifest(dir = MIGRATIONS_DIR): string[] {
  const manifest = readManifest(dir);
  const broken = checkManifest(dir, manifest).filter((p) => !p.includes('not in'));
  if (broken.length) throw new Error(broken.join('\n'));
  const added = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sql') && !(f in manifest))
    .sort();
  for (const f of added) manifest[f] = sha256(path.join(dir, f));
  const sorted = Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => a.localeCompare(b)));
  fs.writeFileSync(path.join(dir, MANIFEST), `${JSON.stringify(sorted, null, 2)}\n`);
  return added;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  try {
    if (check) {
      const problems = checkManifest();
      if (problems.length) throw new Error(problems.join('\n'));
      console.log('migrations match manifest.json');
    } else {
      const added = appendManifest();
      console.log(added.length ? `recorded: ${added.join(', ')}` : 'nothing new to record');
    }
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
