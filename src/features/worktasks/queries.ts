import { sql, type Selectable, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { DeploymentTable, DeploymentTargetTable } from '../../db/schema-worktasks.js';
import {
  BOARD_LABELS,
  KIND_LABELS,
  LINK_KINDS,
  LINK_PATHS,
  STATE_LABELS,
  boardStatus,
  judgedAt,
  boardByArea,
  countBoard,
  type BoardCounts,
  type FigureSpec,
  type LinkKind,
} from '../../domain/worktasks/rules.js';
import { attachmentsOf } from '../attachments/index.js';
import { CASE_KIND_LABEL } from '../../domain/cases/workflow.js';
import { FORMS, periodLabel } from '../../domain/reports/forms.js';
import { localDate } from '../../domain/time/zone.js';
import { fileNameForOthers } from '../../domain/identifiers/free-text.js';
import { rolesWith } from '../../domain/auth/roles.js';
import { SOURCE_LABELS } from './ledger.js';
import type { z } from 'zod';
import type { board, deploymentDetail, deploymentSummary, target } from './contract.js';

/** Reads of notices and tasks. Row-level security decides what the caller sees: its own subtree's deployments and targets, and deployments that reach it. */
type Tx = Transaction<DB>;
export type DeploymentRow = Selectable<DeploymentTable> & { issuer_name: string; issuer_level: string };
export type TargetRow = Selectable<DeploymentTargetTable> & { node_name: string; node_level: string };
type Target = z.infer<typeof target>;

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);
const dateOf = (d: Date | string | null) => (d ? new Date(d) : null);
type Judged = Pick<Selectable<DeploymentTable>, 'kind' | 'receipt_required' | 'due_at' | 'closed_at'>;
/** The instant a deployment's parts are judged at: now, or when it was closed (a withdrawn task keeps the 逾期 it had). */
const judgedOn = (d: Judged, now: Date) => judgedAt(dateOf(d.closed_at), now);
/** A target's status on the board, as of judgedOn. */
const statusOf = (d: Judged, state: Selectable<DeploymentTargetTable>['state'], now: Date) =>
  boardStatus(d.kind, state, d.receipt_required, dateOf(d.due_at), judgedOn(d, now));
const json = <T>(v: unknown, fallback: T): T =>
  v === null || v === undefined ? fallback : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T);

export async function deploymentById(db: Tx, id: number): Promise<DeploymentRow | undefined> {
  return db
    .selectFrom('deployment as d')
    .innerJoin('jurisdiction as j', 'j.code', 'd.issuer_code')
    .selectAll('d')
    .select(['j.name as issuer_name', 'j.level as issuer_level'])
    .where('d.id', '=', id)
    .executeTakeFirst();
}

/**
 * Of these nodes, those where no enabled account may receive or reply (data.write; a platform's or
 * committee's unit account works only its cases): what is sent there waits for nobody.
 */
export async function nodesWithoutAccount(db: Tx, codes: readonly string[]): Promise<Set<string>> {
  if (!codes.length) return new Set();
  const held = await db
    .selectFrom('app_user')
    .select('jurisdiction_code')
    .distinct()
    .where('jurisdiction_code', 'in', codes)
    .where('disabled', '=', false)
    .where(sql<boolean>`roles && ${sql.val(rolesWith('data.write').filter((r) => r !== 'unit_staff'))}::text[]`)
    .execute();
  const has = new Set(held.map((h) => h.jurisdiction_code));
  return new Set(codes.filter((c) => !has.has(c)));
}

/** The nodes a deployment reached where nobody may act on it (the issuer is told at once, not when it falls overdue). */
export async function targetsWithoutAccount(db: Tx, deploymentId: number): Promise<{ code: string; name: string }[]> {
  const nodes = await db
    .selectFrom('deployment_target as t')
    .innerJoin('jurisdiction as j', 'j.code', 't.node_code')
    .select(['j.code', 'j.name'])
    .where('t.deployment_id', '=', deploymentId)
    .orderBy('j.code')
    .execute();
  const none = await nodesWithoutAccount(
    db,
    nodes.map((n) => n.code),
  );
  return nodes.filter((n) => none.has(n.code));
}

/** A target with its node's name; `lock` holds the row for a move, so a close or a second move waits for it. */
export async function targetById(db: Tx, id: number, lock = false): Promise<TargetRow | undefined> {
  const q = db
    .selectFrom('deployment_target as t')
    .innerJoin('jurisdiction as j', 'j.code', 't.node_code')
    .selectAll('t')
    .select(['j.name as node_name', 'j.level as node_level'])
    .where('t.id', '=', id);
  return (lock ? q.forUpdate('t') : q).executeTakeFirst();
}

/** Where a deployment or a target row hangs (for the attachment checks), when the caller can see it. */
export const deploymentScope = (db: Tx, id: number) =>
  db.selectFrom('deployment').select(['scope_key', 'closed_at']).where('id', '=', id).executeTakeFirst();
export const targetScope = (db: Tx, id: number) =>
  db
    .selectFrom('deployment_target as t')
    .innerJoin('deployment as d', 'd.id', 't.deployment_id')
    .select(['t.scope_key', 't.state', 'd.closed_at'])
    .where('t.id', '=', id)
    .executeTakeFirst();

export async function targetsOf(db: Tx, deploymentId: number): Promise<TargetRow[]> {
  return db
    .selectFrom('deployment_target as t')
    .innerJoin('jurisdiction as j', 'j.code', 't.node_code')
    .selectAll('t')
    .select(['j.name as node_name', 'j.level as node_level'])
    .where('t.deployment_id', '=', deploymentId)
    .orderBy('t.node_code')
    .execute();
}

/** The tiles of several deployments' boards at once (for lists and passed-down sub-tasks). */
export async function countsOf(
  db: Tx,
  deployments: readonly {
    id: number;
    kind: 'notice' | 'task';
    receipt_required: boolean;
    due_at: Date | string | null;
    closed_at: Date | string | null;
  }[],
  now: Date,
): Promise<Map<number, BoardCounts>> {
  const out = new Map<number, BoardCounts>();
  if (deployments.length === 0) return out;
  const rows = await db
    .selectFrom('deployment_target')
    .select(['deployment_id', 'state', 'late'])
    .where(
      'deployment_id',
      'in',
      deployments.map((d) => d.id),
    )
    .execute();
  for (const d of deployments) {
    out.set(
      d.id,
      countBoard(
        d.kind,
        d.receipt_required,
        dateOf(d.due_at),
        judgedOn(d, now),
        rows.filter((r) => Number(r.deployment_id) === d.id).map((r) => ({ state: r.state, late: r.late })),
      ),
    );
  }
  return out;
}

export const linkOf = (l: { kind: LinkKind; id: number }, labels?: ReadonlyMap<string, string>) => ({
  kind: l.kind,
  id: l.id,
  label: labels?.get(`${l.kind}:${l.id}`) ?? `${LINK_KINDS[l.kind]} #${l.id}`,
  path: LINK_PATHS[l.kind](l.id),
});

/**
 * What the linked records are, in a clerk's words (走访记录 2026-10-21 玄武区董晓洋茶叶店), for the
 * records the reader can see; the others keep the kind and number.
 */
export async function linkLabels(db: Tx, links: readonly { kind: LinkKind; id: number }[]) {
  const out = new Map<string, string>();
  const ids = (k: LinkKind) => [...new Set(links.filter((l) => l.kind === k).map((l) => l.id))];
  const put = (k: LinkKind, id: number | string, text: string) =>
    out.set(`${k}:${Number(id)}`, `${LINK_KINDS[k]} ${text}`);
  if (ids('visit').length)
    for (const v of await db
      .selectFrom('visit_record as v')
      .innerJoin('entity as e', 'e.id', 'v.entity_id')
      .select(['v.id', 'v.visited_on', 'e.name'])
      .where('v.id', 'in', ids('visit'))
      .execute())
      put('visit', v.id, `${String(v.visited_on).slice(0, 10)} ${v.name}`);
  if (ids('case').length) {
    // The cases first, then their entities' names by id: on Citus the cases are distributed and
    // entity is not, and such a LEFT JOIN crashed the coordinator (the case list, discovery/queries.ts).
    const cases = await db
      .selectFrom('discovery_case')
      .select(['id', 'kind', 'entity_id'])
      .where('id', 'in', ids('case'))
      .execute();
    const entityIds = [...new Set(cases.flatMap((c) => (c.entity_id === null ? [] : [Number(c.entity_id)])))];
    const names = new Map(
      (entityIds.length
        ? await db.selectFrom('entity').select(['id', 'name']).where('id', 'in', entityIds).execute()
        : []
      ).map((e) => [Number(e.id), e.name]),
    );
    for (const c of cases) {
      const name = c.entity_id === null ? undefined : names.get(Number(c.entity_id));
      put('case', c.id, `${CASE_KIND_LABEL[c.kind]}${name ? ` · ${name}` : ''}`);
    }
  }
  if (ids('appeal').length)
    for (const a of await db
      .selectFrom('appeal_case')
      .select(['id', 'created_at'])
      .where('id', 'in', ids('appeal'))
      .execute())
      put('appeal', a.id, `${localDate(new Date(a.created_at))} 提交`);
  if (ids('import').length)
    for (const j of await db
      .selectFrom('import_job')
      .select(['id', 'file_name'])
      .where('id', 'in', ids('import'))
      .execute())
      // Whoever reads the reply (the issuer above) is not the uploader: the name as others see it
      // (a clerk names files after the person, 张三320102….csv; round-6 probe).
      put('import', j.id, fileNameForOthers(j.file_name));
  if (ids('report').length)
    for (const r of await db
      .selectFrom('report')
      .select(['id', 'form', 'period'])
      .where('id', 'in', ids('report'))
      .execute()) {
      const f = FORMS[r.form as keyof typeof FORMS];
      put('report', r.id, f ? `${f.title}（${periodLabel(f.period, r.period)}）` : r.period);
    }
  return out;
}

/** Each linked record must exist where the caller can see it (its scope). Returns the first one that does not. */
export async function missingLink(
  db: Tx,
  links: readonly { kind: LinkKind; id: number }[],
): Promise<{ kind: LinkKind; id: number } | null> {
  const tables = {
    visit: 'visit_record',
    appeal: 'appeal_case',
    case: 'discovery_case',
    import: 'import_job',
    report: 'report',
  } as const;
  for (const l of links) {
    const found = await db.selectFrom(tables[l.kind]).select('id').where('id', '=', l.id).executeTakeFirst();
    if (!found) return l;
  }
  return null;
}

export async function eventsOf(db: Tx, targetId: number) {
  const rows = await db
    .selectFrom('deployment_event')
    .select(['action', 'note', 'late', 'at', 'by_name'])
    .where('target_id', '=', targetId)
    .orderBy('id')
    .execute();
  return rows.map((e) => ({ action: e.action, note: e.note, late: e.late, at: iso(e.at)!, byName: e.by_name }));
}

/** Target rows as the API shows them, with reply attachments and the sub-tasks passed down. */
export async function presentTargets(
  db: Tx,
  d: DeploymentRow,
  rows: readonly TargetRow[],
  now: Date,
): Promise<Target[]> {
  const files = await attachmentsOf(
    db,
    'deployment_target',
    rows.map((r) => r.id),
  );
  const subs = rows.length
    ? await db
        .selectFrom('deployment')
        .select(['id', 'title', 'kind', 'receipt_required', 'due_at', 'closed_at', 'parent_target_id'])
        .where(
          'parent_target_id',
          'in',
          rows.map((r) => r.id),
        )
        .orderBy('id')
        .execute()
    : [];
  const subCounts = await countsOf(db, subs, now);
  const noAccount = await nodesWithoutAccount(
    db,
    rows.map((r) => r.node_code),
  );
  const labels = await linkLabels(
    db,
    rows.flatMap((t) => json<{ kind: LinkKind; id: number }[]>(t.reply_links, [])),
  );
  return rows.map((t) => {
    const status = statusOf(d, t.state, now);
    return {
      id: t.id,
      deploymentId: Number(t.deployment_id),
      node: { code: t.node_code, name: t.node_name, level: t.node_level },
      state: t.state,
      stateLabel: STATE_LABELS[t.state],
      status,
      statusLabel: BOARD_LABELS[status],
      receivedAt: iso(t.received_at),
      receivedByName: t.received_by_name,
      repliedAt: iso(t.replied_at),
      repliedByName: t.replied_by_name,
      replyText: t.reply_text,
      replyFigures: json<Record<string, number> | null>(t.reply_figures, null),
      links: json<{ kind: LinkKind; id: number }[]>(t.reply_links, []).map((l) => linkOf(l, labels)),
      late: t.late,
      noAccount: noAccount.has(t.node_code),
      returnReason: t.return_reason,
      returnedAt: iso(t.returned_at),
      acceptedAt: iso(t.accepted_at),
      acceptedByName: t.accepted_by_name,
      attachments: files.get(t.id) ?? [],
      passedDown: subs
        .filter((s) => Number(s.parent_target_id) === t.id)
        .map((s) => ({ id: s.id, title: s.title, counts: subCounts.get(s.id)! })),
    };
  });
}

export async function boardOf(db: Tx, d: DeploymentRow, now: Date): Promise<z.infer<typeof board>> {
  const rows = await targetsOf(db, d.id);
  const dueAt = dateOf(d.due_at);
  const targets = await presentTargets(db, d, rows, now);
  const children = await db
    .selectFrom('jurisdiction')
    .select(['code', 'name', 'scope_key as scopeKey'])
    .where('parent_code', '=', d.issuer_code)
    .execute();
  const areas = boardByArea(
    children,
    rows.map((r, i) => ({
      id: r.id,
      scopeKey: r.scope_key,
      status: targets[i].status,
      late: r.late,
      passedDown: targets[i].passedDown.map((p) => p.counts),
    })),
  );
  return {
    id: d.id,
    title: d.title,
    kind: d.kind,
    dueAt: iso(dueAt),
    asOf: now.toISOString(),
    counts: countBoard(d.kind, d.receipt_required, dueAt, judgedOn(d, now), rows),
    targets,
    areas: areas.map((a) => ({
      code: a.area.code,
      name: a.area.name,
      counts: a.counts,
      passedDown: a.passedDown,
      targetIds: a.targetIds,
    })),
  };
}

type Summary = z.infer<typeof deploymentSummary>;
const summaryOf = (d: DeploymentRow, mine: Summary['mine'], counts: BoardCounts | null): Summary => ({
  id: d.id,
  kind: d.kind,
  kindLabel: KIND_LABELS[d.kind],
  title: d.title,
  issuer: { code: d.issuer_code, name: d.issuer_name, level: d.issuer_level },
  dueAt: iso(d.due_at),
  receiptRequired: d.receipt_required,
  createdAt: iso(d.created_at)!,
  createdByName: d.created_by_name,
  parentTargetId: d.parent_target_id === null ? null : Number(d.parent_target_id),
  mine,
  counts,
  source: d.source_type
    ? { type: d.source_type, label: SOURCE_LABELS[d.source_type], path: d.source_path ?? '/' }
    : null,
  closedAt: iso(d.closed_at),
  closedReason: d.closed_reason,
});

export async function detailOf(
  db: Tx,
  d: DeploymentRow,
  user: { jurisdictionCode: string },
  now: Date,
): Promise<z.infer<typeof deploymentDetail>> {
  const ownRow = await db
    .selectFrom('deployment_target as t')
    .innerJoin('jurisdiction as j', 'j.code', 't.node_code')
    .selectAll('t')
    .select(['j.name as node_name', 'j.level as node_level'])
    .where('t.deployment_id', '=', d.id)
    .where('t.node_code', '=', user.jurisdictionCode)
    .executeTakeFirst();
  const own = ownRow ? (await presentTargets(db, d, [ownRow], now))[0] : null;
  const issuedByMe = d.issuer_code === user.jurisdictionCode;
  const counts = issuedByMe ? (await countsOf(db, [d], now)).get(d.id)! : null;
  let parent = null;
  if (d.parent_target_id !== null) {
    // The id where the caller can open the parent: the node that passed it down and above, and the
    // nodes it was passed down to (read-only, the chain only: row-level security, 0075). Its title
    // as it stands (the issuer may have corrected it since); the one kept at passing down otherwise.
    const p =
      d.parent_deployment_id === null
        ? undefined
        : await db
            .selectFrom('deployment')
            .select(['id', 'title'])
            .where('id', '=', Number(d.parent_deployment_id))
            .executeTakeFirst();
    parent = {
      id: p ? Number(p.id) : null,
      title: p?.title ?? d.parent_title ?? '',
      issuerName: d.parent_issuer_name ?? '',
    };
  }
  return {
    ...summaryOf(
      d,
      own
        ? {
            targetId: own.id,
            state: own.state,
            stateLabel: own.stateLabel,
            status: own.status,
            late: own.late,
            returnReason: own.returnReason,
          }
        : null,
      counts,
    ),
    body: d.body,
    evidence: d.evidence,
    figures: json<FigureSpec[]>(d.figures, []),
    remindDays: d.remind_days,
    attachments: (await attachmentsOf(db, 'deployment', [d.id])).get(d.id) ?? [],
    parent,
    own,
    issuedByMe,
  };
}

/** The received box (targets at the caller's node) or the issued box (deployments its node issued), newest first. */
export async function listDeployments(
  db: Tx,
  user: { jurisdictionCode: string },
  q: { box: 'received' | 'issued'; kind?: 'notice' | 'task'; open?: 'true' | 'false'; page: number; pageSize: number },
  now: Date,
) {
  let base = db.selectFrom('deployment as d').innerJoin('jurisdiction as j', 'j.code', 'd.issuer_code');
  if (q.box === 'received')
    base = base.innerJoin('deployment_target as t', (on) =>
      on.onRef('t.deployment_id', '=', 'd.id').on('t.node_code', '=', user.jurisdictionCode),
    );
  let filtered = q.box === 'issued' ? base.where('d.issuer_code', '=', user.jurisdictionCode) : base;
  if (q.kind) filtered = filtered.where('d.kind', '=', q.kind);
  if (q.box === 'received' && q.open) {
    // Open: still to do here. A deployment called off (withdrawn, or cancelled with its record) is not, whatever its state.
    const openCond = sql<boolean>`(d.closed_at IS NULL AND CASE WHEN d.kind = 'task' THEN t.state <> 'replied' ELSE d.receipt_required AND t.state = 'pending' END)`;
    filtered = filtered.where(q.open === 'true' ? openCond : sql<boolean>`NOT ${openCond}`);
  }
  const { total } = await filtered.select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow();
  const rows = (await filtered
    .selectAll('d')
    .select(['j.name as issuer_name', 'j.level as issuer_level'])
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(q.pageSize)
    .offset((q.page - 1) * q.pageSize)
    .execute()) as DeploymentRow[];
  let items: Summary[];
  if (q.box === 'issued') {
    const counts = await countsOf(db, rows, now);
    items = rows.map((d) => summaryOf(d, null, counts.get(d.id)!));
  } else {
    const mine = rows.length
      ? await db
          .selectFrom('deployment_target')
          .selectAll()
          .where(
            'deployment_id',
            'in',
            rows.map((r) => r.id),
          )
          .where('node_code', '=', user.jurisdictionCode)
          .execute()
      : [];
    items = rows.map((d) => {
      const t = mine.find((m) => Number(m.deployment_id) === d.id)!;
      const status = statusOf(d, t.state, now);
      return summaryOf(
        d,
        {
          targetId: t.id,
          state: t.state,
          stateLabel: STATE_LABELS[t.state],
          status,
          late: t.late,
          returnReason: t.return_reason,
        },
        null,
      );
    });
  }
  return { items, total, page: q.page, pageSize: q.pageSize };
}
