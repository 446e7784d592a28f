import type { Scoped } from '../../db/scoped.js';
import type { Permission } from '../../domain/auth/roles.js';
import { forbidden } from '../../http/errors.js';

/**
 * The records files may be attached to. A feature registers each kind it owns (a notice, a
 * reply; later a visit, an honour, a point …) with the check that decides whether the caller
 * may add or remove files on one record: it returns the record's scope key (the files hang
 * there and are read under that record's access rules) or throws the feature's own refusal.
 */
export type AttachmentOwner = {
  /** What the record is called in messages, e.g. "通知/任务". */
  label: string;
  /** What the caller must hold to add or remove files here: 维护业务台账 unless the record says otherwise (a visit's photos: 登记走访). */
  permission?: Permission;
  writable(s: Scoped, id: number): Promise<{ scopeKey: string }>;
};

const owners = new Map<string, AttachmentOwner>();

export function registerAttachmentOwner(type: string, owner: AttachmentOwner): void {
  if (!/^[a-z_]{1,40}$/.test(type)) throw new Error(`bad attachment owner type ${type}`);
  owners.set(type, owner);
}

/** Whether the caller may write files on some kind of record: one who may not is refused before any record is looked up. */
export const writesSomeOwner = (permissions: ReadonlySet<Permission>): boolean =>
  [...owners.values()].some((o) => permissions.has(o.permission ?? 'data.write'));

/** The owner of a type, once the caller is known to hold its write permission; a refusal otherwise. */
export function writableOwner(type: string, permissions: ReadonlySet<Permission>): AttachmentOwner | undefined {
  const owner = owners.get(type);
  if (owner && !permissions.has(owner.permission ?? 'data.write')) throw forbidden();
  return owner;
}
