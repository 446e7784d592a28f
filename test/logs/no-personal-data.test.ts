import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOG_DIR } from '../helpers/app.js';

/**
 * Runs after the other suites (package.json runs this project second) and reads every line the
 * test servers logged. The suites above send ID numbers, phone numbers and passwords in bodies;
 * none of it may reach a log.
 */
// Bounded by anything but letters and digits: a session hash in a URL can hold 11 digits in a row by
// chance (a CI run failed on "…cac13616171259a98…"); a phone or ID number never sits inside a hex run.
const ID_NUMBER = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/;
const PHONE = /(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])/;
const PASSWORD_FIELD = /"(password|currentPassword|newPassword|temporaryPassword)"\s*:/i;

describe('server logs after the whole suite', () => {
  const files = fs.existsSync(LOG_DIR) ? fs.readdirSync(LOG_DIR).filter((f) => f.endsWith('.log')) : [];
  // pino's responseTime is a float whose decimals can read like a phone number ("89.13341699999").
  const lines = files.flatMap((f) =>
    fs
      .readFileSync(path.join(LOG_DIR, f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.replace(/"responseTime":[\d.e-]+/, '"responseTime":0')),
  );

  it('has logs to read (the other suites ran and logged requests)', () => {
    expect(files.length).toBeGreaterThan(3);
    expect(lines.some((l) => l.includes('/api/v1/auth/login'))).toBe(true);
  });

  it('contains no 18-character ID number, no mobile number, no password, no session cookie', () => {
    const offending = lines.filter(
      (l) => ID_NUMBER.test(l) || PHONE.test(l) || PASSWORD_FIELD.test(l) || /xgz_sid=/.test(l),
    );
    expect(offending.slice(0, 5)).toEqual([]);
  });

  it("contains no appeal's query code and no plaque's token (the appeals and 三亮 suites open both)", () => {
    expect(lines.some((l) => l.includes('/api/v1/public/appeals/…'))).toBe(true);
    const offending = lines.filter((l) =>
      /\/public\/(appeals|plaques)\/[A-Za-z0-9_-]{8}|\/verify\/[A-Za-z0-9_-]{8}/.test(l),
    );
    expect(offending.slice(0, 5)).toEqual([]);
  });
});
