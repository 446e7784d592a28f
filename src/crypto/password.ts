import crypto from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2 = promisify(crypto.pbkdf2);
const TARGET_MS = 100;
const MIN_ITERATIONS = 100_000;
let calibrated: number | undefined;

/** Iterations of PBKDF2-HMAC-SM3 that take about 100 ms on this machine (measured once per process). */
export function calibratedIterations(): number {
  if (calibrated === undefined) {
    const probe = 20_000;
    const t0 = process.hrtime.bigint();
    crypto.pbkdf2Sync('calibration', 'salt', probe, 32, 'sm3');
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    calibrated = Math.max(MIN_ITERATIONS, Math.round((probe * TARGET_MS) / ms / 1000) * 1000);
  }
  return calibrated;
}

/** Hash format: pbkdf2-sm3$<iterations>$<salt b64>$<hash b64>; the count travels with the hash. */
export async function hashPassword(password: string, iterations = calibratedIterations()): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await pbkdf2(password.normalize('NFC'), salt, iterations, 32, 'sm3');
  return `pbkdf2-sm3$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iter, salt, hash] = stored.split('$');
  if (scheme !== 'pbkdf2-sm3' || !iter || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await pbkdf2(
    password.normalize('NFC'),
    Buffer.from(salt, 'base64'),
    Number(iter),
    expected.length,
    'sm3',
  );
  return crypto.timingSafeEqual(actual, expected);
}
