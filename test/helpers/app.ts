import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { deriveKeys } from '../../src/crypto/keys.js';
import { encryptField } from '../../src/crypto/field.js';
import { hashPassword } from '../../src/crypto/password.js';
import { SettingsStore } from '../../src/db/settings.js';
import { newTotpSecret, totpNow } from '../../src/features/auth/totp.js';
import type { AppContext } from '../../src/http/context.js';
import { buildApp } from '../../src/server.js';
import { freshDatabase, type Backend } from './db.js';

/** Every test server logs here; the logs project scans these files after the other suites. */
export const LOG_DIR = path.resolve('.tmp/test-logs');

export type TestApp = Awaited<ReturnType<typeof testApp>>;

let ipSeq = 0;
/** A different client address per sign-in, so the per-IP login rate limit measures only what a test means it to. */
export const nextIp = () => `127.0.${(++ipSeq >> 8) & 255}.${ipSeq & 255}`;

/** `env`: more environment for the app's config (e.g. XGZ_TLS_CERT for a TLS listener). */
export async function testApp(backend: Backend, env: Record<string, string> = {}) {
  const database = await freshDatabase(backend);
  // A data directory per app, removed on close: uploads are named by account id and the demo ledger
  // by kind, so two test files running at the same time (vitest runs two at once) must not share one.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-app-'));
  const config = {
    ...loadConfig({ XGZ_PASSWORD_ITERATIONS: '1000', XGZ_DATA_DIR: dataDir, XGZ_LOG_LEVEL: 'info', ...env }),
    databaseUrl: undefined,
  };
  const ctx: AppContext = {
    config,
    database,
    db: database.db,
    keys: deriveKeys(crypto.randomBytes(32)),
    settings: new SettingsStore(database.db, 0),
  };
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `${backend}-${process.pid}-${crypto.randomBytes(3).toString('hex')}.log`);
  const logStream = fs.createWriteStream(logFile);
  const app = await buildApp(ctx, { logStream, webDist: null });
  let seq = 0;

  /** Creates an account directly (password known, no forced change; duty holders get a TOTP secret). */
  async function user(o: {
    roles: string[];
    jurisdiction: string;
    username?: string;
    mustChange?: boolean;
    password?: string;
  }) {
    const username = o.username ?? `u${++seq}_${crypto.randomBytes(2).toString('hex')}`;
    const password = o.password ?? `Pw-${crypto.randomBytes(6).toString('hex')}A`;
    const j = await ctx.db
      .selectFrom('jurisdiction')
      .select(['code', 'scope_key'])
      .where('code', '=', o.jurisdiction)
      .executeTakeFirstOrThrow();
    const totpSecret = o.roles.some((r) => ['sysadmin', 'secadmin', 'auditor'].includes(r)) ? newTotpSecret() : null;
    const row = await ctx.db
      .insertInto('app_user')
      .values({
        username,
        display_name: `测试${username}`,
        jurisdiction_code: j.code,
        scope_key: j.scope_key,
        roles: o.roles,
        password_hash: await hashPassword(password, 1000),
        must_change_password: o.mustChange ?? false,
        totp_enabled: !!totpSecret,
        totp_secret_enc: totpSecret ? encryptField(ctx.keys, totpSecret) : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, username, password, totpSecret };
  }

  /** Signs in through the API (password, then the TOTP code when enrolled) and returns a client. */
  async function signIn(u: { username: string; password: string; totpSecret?: string | null }) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: u.username, password: u.password },
      remoteAddress: nextIp(),
    });
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
    const c = client(res);
    if (res.json().stage === 'totp') {
      const v = await c.post('/auth/totp/verify', { code: totpNow(u.totpSecret!) });
      if (v.statusCode !== 200) throw new Error(`totp failed: ${v.body}`);
      return client(v); // each step of the sign-in gives the session a new token
    }
    return c;
  }

  function client(loginRes: LightMyRequestResponse) {
    const cookie = String(loginRes.headers['set-cookie']).split(';')[0];
    const csrf = loginRes.json().csrfToken as string;
    const call = (
      method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
      url: string,
      payload?: unknown,
      headers: Record<string, string> = {},
    ) =>
      app.inject({
        method,
        url: `/api/v1${url}`,
        payload: payload as never,
        headers: { cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': csrf }), ...headers },
      });
    return {
      cookie,
      csrf,
      call,
      get: (url: string) => call('GET', url),
      post: (url: string, body: unknown = {}) => call('POST', url, body),
      patch: (url: string, body: unknown) => call('PATCH', url, body),
      put: (url: string, body: unknown) => call('PUT', url, body),
      del: (url: string) => call('DELETE', url),
    };
  }

  return {
    app: app,
    ctx,
    db: ctx.db,
    user,
    signIn,
    client,
    close: async () => {
      await app.close();
      await database.close();
      await new Promise((r) => logStream.end(r));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
