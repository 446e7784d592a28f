import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, appendManifest, checkManifest } from '../../src/db/migration-manifest.js';

describe('committed migrations', () => {
  it('match their recorded SHA-256 (append-only: edit none, remove none, record new ones)', () => {
    expect(checkManifest()).toEqual([]);
  });

  describe('the check', () => {
    let dir = '';
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const copy = () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-migrations-'));
      for (const f of fs.readdirSync(MIGRATIONS_DIR)) fs.copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
      return dir;
    };

    it('fails on an edited, a removed and an unrecorded migration, and records only new ones', () => {
      copy();
      fs.appendFileSync(path.join(dir, '0003_members.sql'), '\n-- a later thought\n');
      fs.rmSync(path.join(dir, '0005_self_report.sql'));
      fs.writeFileSync(path.join(dir, '0999_next.sql'), 'SELECT 1;\n');
      expect(checkManifest(dir)).toEqual([
        '0003_members.sql: committed migration was edited (append a new migration instead)',
        '0005_self_report.sql: committed migration was removed',
        '0999_next.sql: not in manifest.json yet (run npm run migrations:manifest)',
      ]);
      expect(() => appendManifest(dir)).toThrow(/0003_members.sql: committed migration was edited/);
    });

    it('records a new migration', () => {
      copy();
      fs.writeFileSync(path.join(dir, '0999_next.sql'), 'SELECT 1;\n');
      expect(appendManifest(dir)).toEqual(['0999_next.sql']);
      expect(checkManifest(dir)).toEqual([]);
    });
  });
});
