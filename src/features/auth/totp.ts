import * as OTPAuth from 'otpauth';

const PERIOD = 30;

export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

const totpOf = (secret: string, label = 'XGZ') =>
  new OTPAuth.TOTP({
    issuer: 'XGZ 小个专党建',
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD,
    secret: OTPAuth.Secret.fromBase32(secret),
  });

export const totpUri = (secret: string, username: string): string => totpOf(secret, username).toString();

/** The time step a code belongs to (±1 step of clock drift), or null; callers refuse a step already used. */
export function totpStep(secret: string, code: string, now = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpOf(secret).validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? null : Math.floor(now / 1000 / PERIOD) + delta;
}

/** The current code, for tests and the CLI. */
export const totpNow = (secret: string, now = Date.now()): string => totpOf(secret).generate({ timestamp: now });
