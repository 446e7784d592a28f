import { useEffect, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Empty,
  Form,
  Grid,
  Input,
  Pagination,
  Popconfirm,
  Segmented,
  Select,
  Space,
  Spin,
  Tag,
  Typography,
} from 'antd';
import { BulbOutlined } from '@ant-design/icons';
import { Link, useNavigate } from 'react-router-dom';
import { call, withQuery } from '../api';
import { PROPOSAL_MODE_LABEL, PROPOSAL_STATE_LABEL, type ProposalMode } from '@domain/orgs/grouping';
import {
  acceptProposal,
  exportProposals,
  generateOrgProposals,
  listProposals,
  moveProposalUnit,
  rejectProposal,
  type GeneratedProposals,
  type ProposalItem,
} from '@server/features/orgs/contract';
import { useAuth } from '../auth';
import { PageTitle } from '../Layout';
import { usePaged } from '../components/usePaged';
import { ListError } from '../components/Loading';
import { applyProblem } from '../components/problem';
import { JurisdictionPicker } from '../components/JurisdictionPicker';
import { FormModal } from '../components/FormModal';
import { SearchSelect } from '../components/SearchSelect';
import { toOptions } from '../components/format';
import { orgHref, OrgStatusTag } from '../components/OrgTags';
import type { OrgRow } from './OrgDrawer';
import { DownloadButton } from '../components/DownloadButton';

type Proposal = ProposalItem;
type Mode = ProposalMode;

// The domain's wording; items carry it too, the filter needs it before any item.
const MODE = PROPOSAL_MODE_LABEL;
const MODE_COLOR: Record<Mode, string> = {
  standalone: 'red',
  zone: 'volcano',
  station: 'orange',
  joint: 'gold',
  affiliated: 'blue',
  work: 'default',
};
/** Modes that found a new organization on acceptance; joint ones can also trade units. */
const FOUNDING: Mode[] = ['standalone', 'zone', 'joint', 'station'];
const JOINT: Mode[] = ['zone', 'joint', 'station'];
const STATE = Object.entries(PROPOSAL_STATE_LABEL).map(([value, label]) => ({ value, label }));
type Acting = { kind: 'accept' | 'reject' | 'move'; p: Proposal };

const summary = (r: GeneratedProposals) =>
  `检查了 ${r.candidates} 家尚未建立组织的存续主体，提出 ${r.proposals} 条建议` +
  (r.proposals
    ? `：${(Object.keys(MODE) as Mode[])
        .filter((m) => r.counts[m])
        .map((m) => `${MODE[m]} ${r.counts[m]} 条`)
        .join('，')}`
    : '') +
  (r.skippedRejected ? `；另有 ${r.skippedRejected} 条与此前"不采纳"的相同，未再提出` : '') +
  `（用时 ${(r.ms / 1000).toFixed(1)} 秒）`;

export default function Proposals() {
  const { me, can } = useAuth();
  const { message } = App.useApp();
  const [f, setF] = useState<{ state: string; mode?: string; under?: string }>({ state: 'open' });
  const list = usePaged(listProposals, f, 10);
  const [generating, setGenerating] = useState(false);
  const [result, setResult] = useState<GeneratedProposals | null>(null);
  const [acting, setActing] = useState<Acting | null>(null);
  const write = can('data.write');

  const generate = async () => {
    setGenerating(true);
    try {
      const r = await call(generateOrgProposals);
      setResult(r);
      setF((x) => ({ ...x, state: 'open' }));
      void list.reload();
    } catch (e) {
      message.error(applyProblem(null, e));
    } finally {
      setGenerating(false);
    }
  };
  const done = (text: React.ReactNode) => {
    setActing(null);
    message.success({ content: text, duration: 8 });
    void list.reload();
  };

  return (
    <div>
      <PageTitle
        title="组建建议"
        extra={
          <Space wrap>
            <DownloadButton href={withQuery(`/api/v1${exportProposals.path}`, f)}>导出 Excel</DownloadButton>
            {write && (
              // Generating replaces the open proposals in scope, which someone may be working through.
              <Popconfirm
                title="按组建规则重新生成本辖区的建议？"
                description="尚未处理的建议将被替换；已采纳、不采纳的不受影响。"
                okText="生成"
                onConfirm={generate}
              >
                <Button type="primary" icon={<BulbOutlined />} loading={generating}>
                  生成组建建议
                </Button>
              </Popconfirm>
            )}
          </Space>
        }
      />
      {result && (
        <Alert
          type="success"
          showIcon
          closable
          onClose={() => setResult(null)}
          style={{ marginBottom: 16 }}
          title="已生成组建建议"
          description={summary(result)}
        />
      )}
      <Card size="small" style={{ marginBottom: 12 }}>
        <Space wrap>
          <Segmented value={f.state} onChange={(v) => setF((x) => ({ ...x, state: String(v) }))} options={STATE} />
          <Select
            allowClear
            placeholder="建议类型"
            style={{ width: 190 }}
            value={f.mode}
            onChange={(v) => setF((x) => ({ ...x, mode: v }))}
            options={toOptions(MODE)}
          />
          <div style={{ width: 200 }}>
            <JurisdictionPicker
              root={me!.jurisdiction.code}
              value={f.under}
              onChange={(v) => setF((x) => ({ ...x, under: v || undefined }))}
              placeholder="辖区"
            />
          </div>
        </Space>
      </Card>
      <Spin spinning={list.loading}>
        {/* A list that could not be read shows its refusal and 重试, not 暂无组建建议. */}
        {list.error ? (
          <ListError error={list.error} onRetry={list.reload} />
        ) : list.items.length === 0 && !list.loading ? (
          <Card>
            <Empty
              description={
                f.state === 'open'
                  ? '暂无组建建议。点击"生成组建建议"，系统按组建规则为有党员、未建组织的市场主体提出建议。'
                  : '没有符合条件的建议。'
              }
            />
          </Card>
        ) : (
          <Space orientation="vertical" size={12} style={{ width: '100%' }}>
            {list.items.map((p) => (
              <ProposalCard key={p.id} p={p} write={write} onAct={(kind) => setActing({ kind, p })} />
            ))}
          </Space>
        )}
      </Spin>
      {list.total > 0 && <Pagination style={{ marginTop: 16, textAlign: 'right' }} {...list.pagination} />}
      {acting?.kind === 'accept' && <AcceptForm p={acting.p} onClose={() => setActing(null)} onDone={done} />}
      {acting?.kind === 'reject' && <RejectForm p={acting.p} onClose={() => setActing(null)} onDone={done} />}
      {acting?.kind === 'move' && <MoveForm p={acting.p} onClose={() => setActing(null)} onDone={done} />}
    </div>
  );
}

function ProposalCard({ p, write, onAct }: { p: Proposal; write: boolean; onAct: (kind: Acting['kind']) => void }) {
  const wide = Grid.useBreakpoint().md;
  const actions = write && p.state === 'open' && (
    <Space wrap size={4}>
      <Button type="primary" size="small" onClick={() => onAct('accept')}>
        采纳
      </Button>
      {JOINT.includes(p.mode) && (
        <Button size="small" onClick={() => onAct('move')}>
          调整
        </Button>
      )}
      <Button size="small" onClick={() => onAct('reject')}>
        不采纳
      </Button>
    </Space>
  );
  return (
    <Card
      size="small"
      data-proposal={p.id}
      extra={wide && actions}
      title={
        <Space wrap size={4} style={{ whiteSpace: 'normal' }}>
          <span>{p.suggestedName}</span>
          <Tag color={MODE_COLOR[p.mode]}>{p.modeLabel}</Tag>
          {p.orgKindLabel && <Tag>{p.orgKindLabel}</Tag>}
        </Space>
      }
    >
      <Typography.Paragraph style={{ marginBottom: 8 }}>{p.explanation}</Typography.Paragraph>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
        {p.countyName}
        {p.stationName ? ` / ${p.stationName}` : ''} · {p.units} 家单位 · 正式党员 {p.fullMembers} 名
        {p.members > p.fullMembers ? `（另有预备党员 ${p.members - p.fullMembers} 名）` : ''}
      </Typography.Paragraph>
      <div style={{ marginBottom: 8 }}>
        {p.entities.map((e, i) => (
          <span key={e.id}>
            {i > 0 && '、'}
            <Link to={`/entities/${e.id}`}>{e.name}</Link>
            {e.members > 0 && <Typography.Text type="secondary">（党员 {e.members}）</Typography.Text>}
          </span>
        ))}
        {p.units > p.entities.length && <Typography.Text type="secondary"> 等 {p.units} 家</Typography.Text>}
      </div>
      {p.state === 'accepted' && p.orgId && <Link to={orgHref(p.orgId)}>查看组织 →</Link>}
      {p.state === 'rejected' && p.reason && <Typography.Text type="secondary">不采纳理由：{p.reason}</Typography.Text>}
      {actions && !wide && <div style={{ marginTop: 8, display: 'flex', justifyContent: 'flex-end' }}>{actions}</div>}
    </Card>
  );
}

type FormProps = { p: Proposal; onClose: () => void; onDone: (text: React.ReactNode) => void };

/** Founding modes may rename the organization; affiliation needs the host organization; work coverage creates tasks. */
function AcceptForm({ p, onClose, onDone }: FormProps) {
  const nav = useNavigate();
  const founding = FOUNDING.includes(p.mode);
  return (
    <FormModal<{ name?: string; orgId?: number }>
      title={`采纳：${p.suggestedName}`}
      okText="采纳"
      initialValues={{ name: p.suggestedName }}
      onClose={onClose}
      onSubmit={async (v) => {
        const r = await call(acceptProposal, {
          params: { id: p.id },
          body: founding
            ? { name: v.name !== p.suggestedName ? v.name : undefined }
            : p.mode === 'affiliated'
              ? { orgId: v.orgId }
              : {},
        });
        // Messages render outside the router, so the link navigates by hand rather than as a <Link>.
        onDone(
          r.orgId ? (
            <span>
              已采纳。{founding ? '已新建筹建中的组织，' : '已挂靠到所选组织，'}
              <a onClick={() => nav(orgHref(r.orgId!))}>查看组织</a>
            </span>
          ) : (
            '已采纳，已生成"选派党建指导员"和"组织找党员"工作任务'
          ),
        );
      }}
    >
      {founding && (
        <>
          <Typography.Paragraph type="secondary">
            采纳后新建一个"筹建"状态的组织并覆盖这 {p.units} 家单位；组织成立后在"党组织"中标记为已建，才计入组织覆盖。
          </Typography.Paragraph>
          <Form.Item
            name="name"
            label="组织名称"
            rules={[{ required: true, min: 2, max: 60, message: '请输入 2–60 个字的名称' }]}
          >
            <Input />
          </Form.Item>
        </>
      )}
      {p.mode === 'affiliated' && (
        <Form.Item
          name="orgId"
          label="挂靠的党组织"
          rules={[{ required: true, message: '请选择挂靠的党组织' }]}
          extra='挂靠所在乡镇（街道）或村（社区）党组织；须先在"党组织"中登记。'
        >
          <SearchSelect<OrgRow>
            path="/orgs"
            query={{ body: 'party' }}
            placeholder="输入组织名称查找"
            toOption={(o) => ({
              value: o.id,
              label: (
                <Space size={4}>
                  {o.name}
                  <OrgStatusTag status={o.status} />
                  <Typography.Text type="secondary">{o.countyName}</Typography.Text>
                </Space>
              ),
            })}
          />
        </Form.Item>
      )}
      {p.mode === 'work' && (
        <Typography.Paragraph>
          采纳后为这 {p.units} 家没有党员的主体生成"选派党建指导员"和"组织找党员"工作任务。
        </Typography.Paragraph>
      )}
    </FormModal>
  );
}

function RejectForm({ p, onClose, onDone }: FormProps) {
  return (
    <FormModal<{ reason: string }>
      title={`不采纳：${p.suggestedName}`}
      okText="不采纳"
      danger
      onClose={onClose}
      onSubmit={async (v) => {
        await call(rejectProposal, { params: { id: p.id }, body: { reason: v.reason } });
        onDone('已记录不采纳，相同的建议不会再次提出');
      }}
    >
      <Form.Item name="reason" label="理由" rules={[{ required: true, min: 2, message: '请说明不采纳的理由' }]}>
        <Input.TextArea rows={3} maxLength={300} showCount />
      </Form.Item>
    </FormModal>
  );
}

/** Moves one unit to another open joint proposal of the same county; the server checks both still meet the rules. */
function MoveForm({ p, onClose, onDone }: FormProps) {
  const [targets, setTargets] = useState<Proposal[] | null>(null);
  useEffect(() => {
    // The list filters by one mode at a time, and items carry the county's name, not its code.
    Promise.all(JOINT.map((mode) => call(listProposals, { query: { state: 'open', mode, pageSize: 200 } }))).then(
      (pages) =>
        setTargets(pages.flatMap((x) => x.items).filter((x) => x.id !== p.id && x.countyName === p.countyName)),
      () => setTargets([]),
    );
  }, [p]);
  return (
    <FormModal<{ entityId: number; toProposalId: number }>
      title={`调整：${p.suggestedName}`}
      okText="移过去"
      onClose={onClose}
      onSubmit={async (v) => {
        await call(moveProposalUnit, { params: { id: p.id }, body: v });
        onDone('已调整');
      }}
    >
      <Form.Item name="entityId" label="要移出的单位" rules={[{ required: true, message: '请选择单位' }]}>
        <Select options={p.entities.map((e) => ({ value: e.id, label: `${e.name}（正式党员 ${e.fullMembers}）` }))} />
      </Form.Item>
      <Form.Item
        name="toProposalId"
        label="移到哪条联合组建建议"
        rules={[{ required: true, message: '请选择建议' }]}
        extra="调整后两条建议都须仍符合联合党支部的规定（正式党员人数、单位家数），否则不能调整。"
      >
        <Select
          loading={!targets}
          notFoundContent="本县（区）没有其他待处理的联合组建建议"
          options={(targets ?? []).map((t) => ({
            value: t.id,
            label: `${t.suggestedName}（${t.units} 家，正式党员 ${t.fullMembers} 名）`,
          }))}
        />
      </Form.Item>
    </FormModal>
  );
}
