import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from './schema.js';
import { auditKeyOf, type Anchor } from './audit-chain.js';
import { hmacSm3 } from '../crypto/sm3.js';

/**
 * The audit chain's head, anchored outside the database: appended to <dataDir>/audit/anchors.jsonl
 * (0600) and written to the log (which the deployment ships elsewhere), on a schedule and at
 * shutdown. `xgz audit verify` checks that every anchored record is still on the chain with the
 * same hash: a database superuser who rewrites the table cannot make it pass. Each line carries
 * an HMAC-SM3 under the audit key, so a line cannot be forged without the master key either.
 */
export const anchorFile = (dataDir: string) => path.join(dataDir, 'audit', 'anchors.jsonl');

type Line = Anchor & { at: string; mac: string };

const macOf = (key: Buffer, a: Omit<Line, 'mac'>) =>
  hmacSm3(key, `${a.at}|${a.lastId}|${a.lastHash}|${a.keyedFrom}`).toString('hex');

/** The current head, if it moved since the last anchor: appended to the file; returns what was written (or null). */
export async function writeAnchor(db: Kysely<DB>, dataDir: string): Promise<Anchor | null> {
  const key = auditKeyOf(db);
  const head = await db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
  const anchor: Anchor = { lastId: Number(head.last_id), lastHash: head.last_hash, keyedFrom: Number(head.keyed_from) };
  const file = anchorFile(dataDir);
  const prev = lastLine(file);
  if (prev && prev.lastId === anchor.lastId && prev.lastHash === anchor.lastHash) return null;
  const line: Omit<Line, 'mac'> = { at: new Date().toISOString(), ...anchor };
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.appendFileSync(file, JSON.stringify({ ...line, mac: macOf(key, line) }) + '\n', { mode: 0o600 });
  return anchor;
}

function lastLine(file: string): Anchor | null {
  if (!fs.existsSync(file)) return null;
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  try {
    return lines.length && lines[lines.length - 1] ? (JSON.parse(lines[lines.length - 1]) as Anchor) : null;
  } catch {
    return null;
  }
}

export class AnchorError extends Error {}

/** Every anchor in the file, each checked against its MAC; a line that fails is an error (the file was tampered with). */
export function readAnchors(db: Kysely<DB>, dataDir: string): Anchor[] {
  const file = anchorFile(dataDir);
  if (!fs.existsSync(file)) return [];
  const key = auditKeyOf(db);
  const out: Anchor[] = [];
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (!text.trim()) return;
      let l: Line;
      try {
        l = JSON.parse(text) as Line;
      } catch {
        throw new AnchorError(`审计锚点文件第 ${i + 1} 行无法解析（文件被改动）`);
      }
      const expected = macOf(key, { at: l.at, lastId: l.lastId, lastHash: l.lastHash, keyedFrom: l.keyedFrom });
      if (
        typeof l.mac !== 'string' ||
        l.mac.length !== expected.length ||
        !crypto.timingSafeEqual(Buffer.from(l.mac), Buffer.from(expected))
      ) {
        throw new AnchorError(`审计锚点文件第 ${i + 1} 行校验失败（文件被改动，或主密钥不符）`);
      }
      out.push({ lastId: l.lastId, lastHash: l.lastHash, keyedFrom: l.keyedFrom });
    });
  return out;
}
