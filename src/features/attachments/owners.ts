import type { Scoped } from '../../db/scoped.js';

/**
 * The records files may be attached to. A feature registers each kind it owns (a notice, a
 * reply; later a visit, an honour, a point …) with the check that decides whether the caller
 * may add or remove files on one record: it returns the record's scope key (the files hang
 * there and are read under that record's access rules) or throws the feature's own refusal.
 */
export type AttachmentOwner = {
  /** What the record is called in messages, e.g. "通知/任务". */
  label: string;
  writable(s: Scoped, id: number): Promise<{ scopeKey: string }>;
};

const owners = new Map<string, AttachmentOwner>();

export function registerAttachmentOwner(type: string, owner: AttachmentOwner): void {
  if (!/^[a-z_]{1,40}$/.test(type)) throw new Error(`bad attachment owner type ${type}`);
  owners.set(type, owner);
}

export const ownerOf = (type: string): AttachmentOwner | undefined => owners.get(type);
