import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { SettingGroup } from '../../domain/settings/settings.js';

/** Stores a settings group's values whole (the row is created on the group's first change). */
export async function saveSettingGroup(
  db: Transaction<DB>,
  group: SettingGroup,
  values: unknown,
  by: number,
): Promise<void> {
  await db
    .insertInto('setting')
    .values({ key: group, value: JSON.stringify(values), updated_by: by })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({ value: JSON.stringify(values), updated_at: new Date(), updated_by: by }),
    )
    .execute();
}
