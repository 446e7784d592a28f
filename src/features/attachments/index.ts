/** The attachments feature's entrance: other features reach it only through here. */
export { attachmentRoutes } from './routes.js';
export { registerAttachmentOwner, type AttachmentOwner } from './owners.js';
export { attachmentsOf } from './queries.js';
export { attachment, type Attachment } from './contract.js';
export { sweepOrphanFiles } from './orphans.js';
