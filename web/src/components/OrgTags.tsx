import { Tag } from 'antd';
import { ORG_STATUS_LABEL } from './labels';

const STATUS_COLOR: Record<string, string> = { preparing: 'orange', established: 'green', dissolved: 'default' };

/** Where an organization opens: the 党组织 page with its drawer. */
export const orgHref = (id: number) => `/orgs?open=${id}`;

export function OrgStatusTag({ status }: { status: string }) {
  return <Tag color={STATUS_COLOR[status]}>{ORG_STATUS_LABEL[status as keyof typeof ORG_STATUS_LABEL] ?? status}</Tag>;
}

/** 换届提醒 on a term: within the reminder window, or already past its end. */
export function TermTag({ due }: { due: 'due' | 'overdue' | null }) {
  if (!due) return null;
  return due === 'overdue' ? <Tag color="red">已届满</Tag> : <Tag color="orange">即将届满</Tag>;
}
