import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Keys } from '../../crypto/keys.js';
import { decryptField } from '../../crypto/field.js';
import { parseIdNumber } from '../../domain/identifiers/id-number.js';
import type { CaseAction, CaseState, EndedStatus } from '../../domain/cases/workflow.js';
import { insertUnidentified, upsertIdentified } from '../persons/index.js';
import { memberOffLine } from '../members/index.js';
import type { CaseRow } from './queries.js';
import { expectMoved } from '../../db/writes.js';
import { insertWithReceipt } from '../../db/receipt.js';
import { countyOfScope } from '../../domain/jurisdiction/codes.js';
import { withCaseLog } from './case-log.js';

type Tx = Transaction<DB>;

/** A queued discovery run over the caller's scope. */
export const queueRun = (db: Tx, scopeKey: string, by: number) =>
  db
    .insertInto('discovery_run')
    .values({ scope_key: scopeKey, created_by: by, step: '排队' })
    .returningAll()
    .executeTakeFirstOrThrow();

/** A person's move on a case, from the state it was read in (else 409): its new state and the trail line saying who did what and why. */
export async function moveCase(
  db: Tx,
  c: CaseRow,
  m: { by: number; action: CaseAction; to: CaseState; detail: object },
) {
  const write = sql`UPDATE discovery_case SET state = ${m.to}, updated_at = now()
    WHERE id = ${c.id} AND county_code = ${c.county_code} AND state = ${c.state}
    RETURNING id, scope_key, scope_key AS from_scope`;
  // The feed hears of a change of state; a move that keeps it (contacted again) changes nothing it shows.
  expectMoved((await (m.to === c.state ? write : withCaseLog(write, 'update')).execute(db)).rows, '该线索');
  await db
    .insertInto('case_event')
    .values({
      case_id: c.id,
      actor_id: m.by,
      action: m.action,
      from_state: c.state,
      to_state: m.to,
      detail: JSON.stringify(m.detail),
      scope_key: c.scope_key,
      county_code: c.county_code,
    })
    .execute();
}

// A member record changes only on the line of the roster that holds it (that scope, above or
// below it): a station that sees another county's member through a link to its own entity records
// its confirmation or transfer on the case, not on that county's record (migration 0066).
const onLine = sql<boolean>`xgz_on_line(scope_key)`;

/** Staff vouched for the member: confirmed, with 'staff' among the sources. */
export const confirmMember = (db: Tx, memberId: number) =>
  sql`UPDATE member SET confidence = 'confirmed', sources = xgz_sources_with(sources, ARRAY['staff']), updated_at = now() WHERE id = ${memberId} AND ${onLine}`.execute(
    db,
  );

/** The member's organization relation moved to another organization. */
export const transferMember = (db: Tx, memberId: number, to: string) =>
  db
    .updateTable('member')
    .set({ org_relation: to, updated_at: new Date() })
    .where('id', '=', memberId)
    .where(onLine)
    .execute();

/**
 * What a member-missing case concluded about the member: the status that ends their membership on
 * this roster (已转出, 停止党籍, 去世) and its date, and for 已转出 the organization they moved to
 * when known. The member's history (trigger) keeps the before and after; returns whether the record changed.
 */
export async function concludeMember(db: Tx, memberId: number, status: EndedStatus, c: { date?: string; to?: string }) {
  const res = await db
    .updateTable('member')
    .set((eb) => ({
      member_status: status,
      ended_on: c.date ?? null,
      org_relation: c.to ?? eb.ref('org_relation'),
      updated_at: new Date(),
    }))
    .where('id', '=', memberId)
    .where(onLine)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** A self-report received (phone and ID number encrypted) and the case that puts it on the station's work list. */
export async function insertSelfReport(
  db: Tx,
  r: {
    entityId: number | null;
    countyCode: string;
    scopeKey: string;
    name: string;
    phoneEnc: string;
    idEnc: string | null;
    entityText: string;
    orgRelation: string | null;
  },
) {
  const { receipt, row: rep } = await insertWithReceipt('DY', (receipt) =>
    db
      .insertInto('self_report')
      .values({
        receipt,
        entity_id: r.entityId,
        county_code: r.countyCode,
        scope_key: r.scopeKey,
        name: r.name,
        phone_enc: r.phoneEnc,
        id_enc: r.idEnc,
        entity_text: r.entityText,
        org_relation: r.orgRelation,
        consent_at: new Date(),
      })
      .onConflict((oc) => oc.column('receipt').doNothing())
      .returning('id')
      .executeTakeFirst(),
  );
  const [c] = (
    await withCaseLog<{ id: number }>(
      sql`INSERT INTO discovery_case (kind, entity_id, self_report_id, scope_key, county_code, evidence, evidence_hash)
        VALUES ('self_report', ${r.entityId}, ${rep.id}, ${r.scopeKey}, ${countyOfScope(r.scopeKey)},
          ${JSON.stringify({ entityFound: r.entityId !== null })}::jsonb, ${`self_report:${rep.id}`})
        RETURNING id, scope_key`,
      'insert',
    ).execute(db)
  ).rows;
  return { reportId: rep.id, caseId: c.id, receipt };
}

/** On confirmation a self-report becomes a member record (confirmed by staff, source: self-report). */
export async function addMemberFromReport(tx: Tx, keys: Keys, reportId: number, scopeKey: string): Promise<void> {
  const rep = await tx.selectFrom('self_report').selectAll().where('id', '=', reportId).executeTakeFirstOrThrow();
  const phone = decryptField(keys, rep.phone_enc);
  const idNumber = rep.id_enc ? decryptField(keys, rep.id_enc) : null;
  const parsed = idNumber ? parseIdNumber(idNumber) : null;
  const personId = parsed?.ok
    ? (
        await upsertIdentified(
          tx,
          keys,
          [{ idNumber: parsed.value, birthDate: parsed.birthDate, sex: parsed.sex, name: rep.name, phone }],
          { byHand: true },
        )
      ).ids.get(parsed.value)!
    : (await insertUnidentified(tx, keys, [{ name: rep.name, phone }]))[0];
  if (await memberOffLine(tx, personId)) return; // another county's record: confirmed on the case only
  await sql`INSERT INTO member AS m (person_id, org_relation, sources, confidence, scope_key, workplace)
    VALUES (${personId}, ${rep.org_relation}, ARRAY['self_report','staff'], 'confirmed', ${scopeKey}, ${rep.entity_text})
    ON CONFLICT (person_id) DO UPDATE SET confidence = 'confirmed', sources = xgz_sources_with(m.sources, ARRAY['self_report','staff']), updated_at = EXCLUDED.updated_at`.execute(
    tx,
  );
}
