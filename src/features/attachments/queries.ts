import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { AttachmentTable } from '../../db/schema-worktasks.js';
import type { Attachment } from './contract.js';

type Tx = Transaction<DB>;
export type AttachmentRow = Selectable<AttachmentTable>;

export const toAttachment = (r: AttachmentRow): Attachment => ({
  id: r.id,
  ownerType: r.owner_type,
  ownerId: Number(r.owner_id),
  fileName: r.file_name,
  mediaType: r.media_type,
  sizeBytes: Number(r.size_bytes),
  uploadedByName: r.uploaded_by_name,
  createdAt: new Date(r.created_at).toISOString(),
});

export type NewAttachment = Omit<AttachmentTable, 'id' | 'created_at' | 'removed_at'>;

export const insertAttachment = (db: Tx, a: NewAttachment) =>
  db.insertInto('attachment').values(a).returningAll().executeTakeFirstOrThrow();

/** An attachment the caller may read (row-level security: the owning record's scope, or a deployment it reaches). */
export const attachmentById = (db: Tx, id: number) =>
  db.selectFrom('attachment').selectAll().where('id', '=', id).where('removed_at', 'is', null).executeTakeFirst();

/** The attachments of records of one kind, oldest first, grouped by record. */
export async function attachmentsOf(
  db: Tx,
  ownerType: string,
  ownerIds: readonly number[],
): Promise<Map<number, Attachment[]>> {
  const out = new Map<number, Attachment[]>();
  if (ownerIds.length === 0) return out;
  const rows = await db
    .selectFrom('attachment')
    .selectAll()
    .where('owner_type', '=', ownerType)
    .where('owner_id', 'in', [...ownerIds])
    .where('removed_at', 'is', null)
    .orderBy('id')
    .execute();
  for (const r of rows) {
    const list = out.get(Number(r.owner_id)) ?? [];
    list.push(toAttachment(r));
    out.set(Number(r.owner_id), list);
  }
  return out;
}

export const markRemoved = (db: Tx, id: number) =>
  db
    .updateTable('attachment')
    .set({ removed_at: new Date() })
    .where('id', '=', id)
    .where('removed_at', 'is', null)
    .executeTakeFirst();

/**
 * The bytes the attachments of a quota node keep (domain/attachments/quota.ts): a county's and its
 * stations', or a higher node's own. Read on the server's own connection, not the caller's scope:
 * a station's clerk uploads into the county's quota, most of which the clerk cannot see.
 */
export async function storedBytes(db: Kysely<DB>, node: string): Promise<number> {
  const r = await db
    .selectFrom('attachment')
    .select(sql<string>`coalesce(sum(size_bytes), 0)::text`.as('bytes'))
    .where('removed_at', 'is', null)
    .$if(node.length < 6, (q) => q.where('scope_key', '=', node))
    .$if(node.length >= 6, (q) => q.where('scope_key', '>=', node).where('scope_key', '<', `${node}~`))
    .executeTakeFirstOrThrow();
  return Number(r.bytes);
}

/**
 * The bytes of a quota node, as storedBytes, read in the writing transaction after taking the node's
 * lock (xgz_attachment_quota_hold, migration 0260): another upload into the node waits for this one
 * to be written or rolled back, so the quota holds when uploads arrive at once (round 14).
 */
export async function heldStoredBytes(tx: Tx, node: string): Promise<number> {
  const { rows } = await sql<{ bytes: string }>`SELECT xgz_attachment_quota_hold(${node})::text AS bytes`.execute(tx);
  return Number(rows[0].bytes);
}
