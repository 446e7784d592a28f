import { insertWithReceipt } from '../../db/receipt.js';
import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { FeedbackCategory, SanliangKind } from '../../domain/sanliang/plaque.js';

type Tx = Transaction<DB>;

/** A new 三亮 record at its entity's place. */
export const insertRecord = (
  db: Tx,
  v: {
    kind: SanliangKind;
    memberId: number;
    entity: { id: number; county_code: string; scope_key: string };
    postName: string | null;
    duties: string;
    commitment: string;
    shownOn: string;
  },
) =>
  db
    .insertInto('sanliang')
    .values({
      kind: v.kind,
      member_id: v.memberId,
      entity_id: v.entity.id,
      county_code: v.entity.county_code,
      scope_key: v.entity.scope_key,
      post_name: v.postName,
      duties: v.duties,
      commitment: v.commitment,
      shown_on: v.shownOn,
    })
    .returning('id')
    .executeTakeFirstOrThrow();

/** A record's post, duties, commitment and date as they now read. */
export const updateRecordText = (
  db: Tx,
  id: number,
  v: { postName: string | null; duties: string; commitment: string; shownOn: string },
) =>
  db
    .updateTable('sanliang')
    .set({
      post_name: v.postName,
      duties: v.duties,
      commitment: v.commitment,
      shown_on: v.shownOn,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();

/** A record entered by mistake, gone (only one that never had a plaque). */
export const deleteRecordRow = (db: Tx, id: number) => db.deleteFrom('sanliang').where('id', '=', id).execute();

/** A report from the public handled, with what was done. */
export const markFeedbackHandled = (db: Tx, id: number, note: string, by: number) =>
  db
    .updateTable('plaque_feedback')
    .set({ state: 'handled', handling_note: note, handled_by: by, handled_at: new Date() })
    .where('id', '=', id)
    .execute();

/** A report from the public on a plaque (its content already sealed); returns its id and the random receipt given. */
export const insertPlaqueFeedback = async (
  db: Tx,
  v: { plaqueId: number; recordId: number; scopeKey: string; category: FeedbackCategory; content: string },
) => {
  const { receipt, row } = await insertWithReceipt('FK', (receipt) =>
    db
      .insertInto('plaque_feedback')
      .values({
        receipt,
        plaque_id: v.plaqueId,
        record_id: v.recordId,
        scope_key: v.scopeKey,
        category: v.category,
        content: v.content,
      })
      .onConflict((oc) => oc.column('receipt').doNothing())
      .returning('id')
      .executeTakeFirst(),
  );
  return { id: row.id, receipt };
};
