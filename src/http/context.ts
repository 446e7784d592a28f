import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Keys } from '../crypto/keys.js';
import type { Database } from '../db/connection.js';
import type { DB, SessionStage } from '../db/schema.js';
import type { Principal } from '../db/audit-chain.js';
import type { Scoped } from '../db/scoped.js';
import { permissionsOf, type Permission } from '../domain/auth/roles.js';
import { boundKey } from '../domain/auth/binding.js';
import type { ServicePermission } from '../domain/auth/service.js';
import type { z } from 'zod';
import type { SETTING_GROUPS, SettingGroup } from '../domain/settings/settings.js';

/** Each deployment-settings group's values. */
export type SettingValues = { [G in SettingGroup]: z.infer<(typeof SETTING_GROUPS)[G]['schema']> };

/** Deployment settings as everything reads them (db/settings.ts keeps them, cached). */
export type Settings = {
  all(): Promise<SettingValues>;
  get<G extends SettingGroup>(group: G): Promise<SettingValues[G]>;
  invalidate(): void;
};

/** Everything the features share, built once at start-up. */
export type AppContext = {
  config: Config;
  database: Database;
  db: Kysely<DB>;
  keys: Keys;
  settings: Settings;
};

export type AuthUser = {
  id: number;
  username: string;
  displayName: string;
  roles: string[];
  permissions: Set<Permission>;
  jurisdictionCode: string;
  scopeKey: string;
  /** xgz.bound: '' for an ordinary account (domain/auth/binding.ts). */
  bound: string;
};

/** An account's row as the signed-in user is built from it: app_user's columns and its node's scope key. */
type AccountRow = {
  id: number;
  username: string;
  display_name: string;
  roles: string[];
  jurisdiction_code: string;
  scope_key: string;
  /** Left out for a service account (no roles, never bound). */
  bound_platform_id?: number | null;
  bound_org_id?: number | null;
  bound_instructor_id?: number | null;
};

/** The signed-in user an account stands for: its permissions from its roles, its binding from its bound columns. */
export function authUserOf(u: AccountRow): AuthUser {
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    roles: u.roles,
    permissions: permissionsOf(u.roles),
    jurisdictionCode: u.jurisdiction_code,
    scopeKey: u.scope_key,
    bound: boundKey(u.roles, {
      platformId: u.bound_platform_id ?? null,
      orgId: u.bound_org_id ?? null,
      instructorId: u.bound_instructor_id ?? null,
    }),
  };
}

/** The service account of a bearer-token call, as the exchange routes see it. */
export type ServiceCaller = { id: number; name: string; ratePerMinute: number; permissions: Set<ServicePermission> };

export type AuthSession = { idHash: string; stage: SessionStage; csrfToken: string };

/**
 * Who may call a route. Every /api route declares one (a test checks):
 * 'public' needs nothing; 'signing-in' a session at any stage of sign-in; 'session' a full
 * session; a permission a full session whose roles grant it; 'service' any service account's
 * bearer token, a service permission (domain/auth/service.ts) a token whose account holds it.
 */
export type ApiRoute = { method: string; url: string; access: string };

export type Access = 'public' | 'signing-in' | 'session' | Permission | 'service' | ServicePermission;

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
    /** Every /api/v1 route with its declared access (the cross-jurisdiction suite walks them all). */
    apiRoutes: ApiRoute[];
    /** Discovery runs in progress (awaited at shutdown and by tests). */
    discoveryRuns: Set<Promise<unknown>>;
    /** Whether the server runs its timed work (the serve command); tests run each piece when they mean to, so none lands mid-test. */
    housekeeping: boolean;
  }
  interface FastifyRequest {
    user: AuthUser | null;
    session: AuthSession | null;
    /** The service account of a bearer-token call (exchange routes only), else null. */
    serviceAccount: ServiceCaller | null;
    principal(): Principal;
    /** Runs fn within the signed-in user's jurisdiction scope (see db/scoped.ts). */
    scoped<T>(fn: (s: Scoped) => Promise<T>): Promise<T>;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}
