import { sql, type Transaction } from 'kysely';
import type { z } from 'zod';
import type { DB } from '../../db/schema.js';
import { expectWritten } from '../../db/writes.js';
import { badRequest, notFound } from '../../http/errors.js';
import { endsBeforeStart } from './shared.js';
import { reachableOrg, type CampaignRecord } from './campaign-queries.js';
import type { addCampaignOrg, createCampaign, recordActivity, updateCampaign } from './contract.js';

/**
 * The education campaigns' writes. The routes check who may make them, record the audit lines and
 * let the deployed tasks follow (the campaign is their body).
 */

type Tx = Transaction<DB>;
type NewCampaign = z.output<(typeof createCampaign)['body']>;
type CampaignChange = z.output<(typeof updateCampaign)['body']>;
type NewCampaignOrg = z.output<(typeof addCampaignOrg)['body']>;
type NewActivity = z.output<(typeof recordActivity)['body']>;

/** Records a campaign deployed by the node with this code; returns its id. */
export async function addCampaign(db: Tx, code: string, b: NewCampaign) {
  const node = await db
    .selectFrom('jurisdiction')
    .select(['code', 'scope_key'])
    .where('code', '=', code)
    .executeTakeFirst();
  if (!node) throw notFound('部署单位');
  const row = await db
    .insertInto('campaign')
    .values({
      name: b.name,
      theme: b.theme,
      starts_on: b.startsOn,
      ends_on: b.endsOn,
      description: b.description ?? null,
      jurisdiction_code: node.code,
      scope_key: node.scope_key,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Changes a campaign that is not cancelled; returns its fields as they now are. */
export async function changeCampaign(db: Tx, c: CampaignRecord, b: CampaignChange) {
  if (c.cancelled_at) throw badRequest('学习教育活动已取消，不能修改');
  const after = {
    name: b.name ?? c.name,
    theme: b.theme ?? c.theme,
    starts_on: b.startsOn ?? c.starts_on,
    ends_on: b.endsOn ?? c.ends_on,
    description: b.description === undefined ? c.description : b.description,
  };
  if (after.ends_on < after.starts_on) throw endsBeforeStart();
  expectWritten(
    await db
      .updateTable('campaign')
      .set({ ...after, updated_at: new Date() })
      .where('id', '=', c.id)
      .executeTakeFirst(),
    '学习教育活动',
    { action: 'campaign.update', objectType: 'campaign', objectId: c.id },
  );
  return after;
}

/** Marks the campaign cancelled, with the reason. */
export async function markCampaignCancelled(db: Tx, id: number, reason: string, now: Date) {
  await db
    .updateTable('campaign')
    .set({ cancelled_at: now, cancel_reason: reason, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** Enters an organization the campaign reaches as taking part (again: with its new member count); returns it and the members counted. */
export async function enterCampaignOrg(db: Tx, c: CampaignRecord, b: NewCampaignOrg) {
  const org = await reachableOrg(db, c, b.orgId);
  // Enter once: the roster already knows how many members the organization holds.
  const members =
    b.members ??
    (
      await db
        .selectFrom('party_org_member')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('org_id', '=', org.id)
        .executeTakeFirstOrThrow()
    ).n;
  await db
    .insertInto('campaign_org')
    .values({ campaign_id: c.id, org_id: org.id, members, scope_key: org.scope_key })
    .onConflict((oc) => oc.columns(['campaign_id', 'org_id']).doUpdateSet({ members }))
    .execute();
  return { org, members };
}

/** Takes an organization off the campaign; 404 when it was not on it. */
export async function dropCampaignOrg(db: Tx, campaignId: number, orgId: number) {
  const gone = await db
    .deleteFrom('campaign_org')
    .where('campaign_id', '=', campaignId)
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  if (!Number(gone.numDeletedRows)) throw notFound('参加该活动的党组织');
}

/** Records an activity held within the campaign's period; returns its id. */
export async function addCampaignActivity(db: Tx, c: CampaignRecord, b: NewActivity, callerScopeKey: string) {
  if (b.heldOn < c.starts_on || b.heldOn > c.ends_on)
    throw badRequest(`活动日期应在 ${c.starts_on} 至 ${c.ends_on} 之间`, [
      { field: 'heldOn', message: '活动日期不在学习教育期间内' },
    ]);
  const org = b.orgId ? await reachableOrg(db, c, b.orgId) : null;
  // An activity belongs to its organization's area, else to the caller's own, where the campaign reaches.
  const scopeKey = org?.scope_key ?? (callerScopeKey.startsWith(c.scope_key) ? callerScopeKey : c.scope_key);
  const row = await db
    .insertInto('campaign_activity')
    .values({
      campaign_id: c.id,
      org_id: org?.id ?? null,
      held_on: b.heldOn,
      title: b.title,
      participants: b.participants,
      note: b.note ?? null,
      scope_key: scopeKey,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
