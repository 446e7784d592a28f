import type { Kysely } from 'kysely';
import type { DB } from './schema.js';
import {
  SETTING_GROUPS,
  type CaseSettings,
  type ExitSettings,
  type RuleSettings,
  type SecuritySettings,
  type SettingGroup,
} from '../domain/settings/settings.js';

type Values = { security: SecuritySettings; rules: RuleSettings; cases: CaseSettings; exit: ExitSettings };

/**
 * Reads deployment settings with a short cache: every request checks the session timeout,
 * and a few seconds of staleness across processes is acceptable; this process sees its own
 * writes at once.
 */
export class SettingsStore {
  private cache?: { at: number; values: Values };
  constructor(
    private readonly db: Kysely<DB>,
    private readonly ttlMs = 5000,
  ) {}

  async all(): Promise<Values> {
    if (this.cache && Date.now() - this.cache.at < this.ttlMs) return this.cache.values;
    const rows = await this.db.selectFrom('setting').select(['key', 'value']).execute();
    const stored = new Map(rows.map((r) => [r.key, r.value]));
    const values = {
      security: SETTING_GROUPS.security.schema.parse(stored.get('security') ?? {}),
      rules: SETTING_GROUPS.rules.schema.parse(stored.get('rules') ?? {}),
      cases: SETTING_GROUPS.cases.schema.parse(stored.get('cases') ?? {}),
      exit: SETTING_GROUPS.exit.schema.parse(stored.get('exit') ?? {}),
    };
    this.cache = { at: Date.now(), values };
    return values;
  }

  async get<G extends SettingGroup>(group: G): Promise<Values[G]> {
    return (await this.all())[group];
  }

  invalidate(): void {
    this.cache = undefined;
  }
}
