import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Collapse,
  DatePicker,
  Descriptions,
  Empty,
  Form,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Statistic,
  Tag,
  Typography,
} from 'antd';
import { MinusCircleOutlined, PlusOutlined, ShareAltOutlined } from '@ant-design/icons';
import { BOARD_LABELS, LINK_KINDS } from '@domain/worktasks/rules';
import type { BodyOf } from '@server/http/contract';
import {
  acceptTarget,
  getBoard,
  getDeployment,
  receiveTarget,
  replyBody,
  replyTarget,
  returnBody,
  returnTarget,
  reviseBody,
  reviseDeployment,
  withdrawBody,
  withdrawDeployment,
  type Board,
  type DeploymentDetail as Detail,
  type Target,
} from '@server/features/worktasks/contract';
import { useNavigate, useParams } from 'react-router-dom';
import { call } from '../api';
import { useAuth } from '../auth';
import { PageTitle, Link } from '../Layout';
import { applyProblem } from '../components/problem';
import { AttachmentList, AttachmentUpload, type AttachmentItem } from '../components/Attachments';
import { STATUS_COLOR, ymdhm } from './Work';
import { zodRule } from '../components/zodRule';
import { FormModal } from '../components/FormModal';
import { DownloadButton } from '../components/DownloadButton';
import { IssueDrawer } from './WorkIssue';
import { LinkPicker } from './WorkLinkPicker';
import { AreaProgress, StatusChips, areasWorthShowing, filterTargets, type StatusFilter } from './WorkAreas';
import type { Dayjs } from 'dayjs';
import { pickerOf } from '../components/format';

const LEVEL_RANK: Record<string, number> = { nation: 0, province: 1, city: 2, county: 3, station: 4 };
/** Whether a unit of level `a` is above one of level `b` (a task from above, read up the chain). */
const isAbove = (a: string, b: string | undefined) => b !== undefined && (LEVEL_RANK[a] ?? 9) < (LEVEL_RANK[b] ?? 9);

/** A notice or task: its body and files; the node's own receipt and reply (with files, pass-down); for the issuer, the live board with drill-down and return. */
export default function WorkDetail() {
  const id = Number(useParams().id);
  const { can, me } = useAuth();
  const nav = useNavigate();
  const { message } = App.useApp();
  const [d, setD] = useState<Detail | null>(null);
  const [board, setBoard] = useState<Board | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [passing, setPassing] = useState(false);
  const [changing, setChanging] = useState<'revise' | 'withdraw' | null>(null);
  const load = useCallback(async () => {
    try {
      const detail = await call(getDeployment, { params: { id } });
      setD(detail);
      setBoard(detail.issuedByMe ? await call(getBoard, { params: { id } }) : null);
    } catch (e) {
      setError(applyProblem(null, e));
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);
  if (error) return <Alert type="error" showIcon title={error} />;
  if (!d) return null;
  const write = can('data.write');
  return (
    <div style={{ minWidth: 0 }}>
      <PageTitle
        title={d.title}
        extra={
          <Space wrap>
            <Tag color={d.kind === 'task' ? 'red' : 'blue'}>{d.kindLabel}</Tag>
            {write && d.issuedByMe && !d.source && !d.closedAt && (
              <>
                <Button size="small" onClick={() => setChanging('revise')} data-testid="revise">
                  修改
                </Button>
                <Button size="small" danger onClick={() => setChanging('withdraw')} data-testid="withdraw">
                  撤回
                </Button>
              </>
            )}
          </Space>
        }
      />
      {changing && <ChangeIssued d={d} what={changing} onClose={() => setChanging(null)} onDone={load} />}
      {d.closedAt && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          title={`已撤销（${ymdhm(d.closedAt)}）${d.closedReason ? `：${d.closedReason}` : ''}`}
        />
      )}
      {d.source && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          title={
            <span>
              本任务即{d.source.label}（台账中的记录就是任务内容，在台账中办理后回复时关联即可）：
              <Link to={d.source.path}>打开{d.source.label}</Link>
            </span>
          }
        />
      )}
      {d.parent && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          title={
            <span>
              转派自{d.parent.issuerName}的任务：
              {d.parent.id ? <Link to={`/work/${d.parent.id}`}>{d.parent.title}</Link> : d.parent.title}
            </span>
          }
        />
      )}
      {!d.own && !d.issuedByMe && isAbove(d.issuer.level, me?.jurisdiction.level) && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="chain-read-only"
          title="上级的原任务（只读）：供了解要求和附件；本单位在转派给本单位的任务中签收、回复"
        />
      )}
      <Card size="small" style={{ marginBottom: 12 }}>
        <Descriptions
          size="small"
          column={{ xs: 1, sm: 2 }}
          items={[
            { key: 'i', label: '下发单位', children: `${d.issuer.name}（${d.createdByName}）` },
            { key: 'c', label: '下发时间', children: ymdhm(d.createdAt) },
            ...(d.dueAt ? [{ key: 'd', label: '截止', children: ymdhm(d.dueAt) }] : []),
            ...(d.evidence ? [{ key: 'e', label: '回复要求', children: d.evidence }] : []),
            ...(d.figures.length
              ? [
                  {
                    key: 'f',
                    label: '填报数字',
                    children: d.figures.map((f) => f.label + (f.unit ? `（${f.unit}）` : '')).join('、'),
                  },
                ]
              : []),
          ]}
        />
        <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginTop: 8, wordBreak: 'break-word' }}>
          {d.body}
        </Typography.Paragraph>
        <AttachmentList items={d.attachments} />
      </Card>
      {d.own && (
        <OwnPanel d={d} own={d.own} write={write && !d.closedAt} onChanged={load} onPassDown={() => setPassing(true)} />
      )}
      {board && <BoardPanel id={d.id} board={board} figures={d.figures} write={write} onChanged={load} />}
      {d.own && (
        <IssueDrawer
          open={passing}
          onClose={() => setPassing(false)}
          parent={{
            targetId: d.own.id,
            title: d.title,
            body: d.body,
            evidence: d.evidence,
            dueAt: d.dueAt,
            figures: d.figures,
          }}
          onIssued={(sub) => {
            setPassing(false);
            message.success('已转派');
            void nav(`/work/${sub}`);
          }}
        />
      )}
    </div>
  );
}

/** The node's own row: receive, reply (text, figures, files), pass down; the return reason when returned. */
function OwnPanel({
  d,
  own,
  write,
  onChanged,
  onPassDown,
}: {
  d: Detail;
  own: Target;
  write: boolean;
  onChanged: () => void;
  onPassDown: () => void;
}) {
  const { message } = App.useApp();
  const { me } = useAuth();
  const [form] = Form.useForm();
  const [files, setFiles] = useState<AttachmentItem[]>(own.attachments);
  const [busy, setBusy] = useState(false);
  useEffect(() => setFiles(own.attachments), [own.attachments]);
  const act = async (fn: () => Promise<unknown>, ok: string) => {
    setBusy(true);
    try {
      await fn();
      message.success(ok);
      onChanged();
    } catch (e) {
      message.error(applyProblem(form, e));
    } finally {
      setBusy(false);
    }
  };
  const canReply = d.kind === 'task' && own.state !== 'replied';
  // 数据最多报一次: a node that passed the task down starts its reply from the sum of what its
  // units replied (figures matched by name), to check and correct rather than add up by hand.
  const [summed, setSummed] = useState<{ units: number; of: number } | null>(null);
  useEffect(() => {
    if (!canReply || !write || own.state === 'returned' || !d.figures.length || !own.passedDown.length) return;
    let live = true;
    void Promise.all(
      own.passedDown.map(async (p) => ({
        sub: await call(getDeployment, { params: { id: p.id } }),
        board: await call(getBoard, { params: { id: p.id } }),
      })),
    ).then(
      (parts) => {
        if (!live) return;
        const totals: Record<string, number> = {};
        let units = 0;
        let of = 0;
        for (const { sub, board } of parts)
          for (const t of board.targets) {
            of++;
            if (t.state !== 'replied' || !t.replyFigures) continue;
            units++;
            for (const f of d.figures) {
              const key = sub.figures.find((x) => x.label === f.label)?.key;
              const v = key === undefined ? undefined : t.replyFigures[key];
              if (v !== undefined) totals[f.key] = (totals[f.key] ?? 0) + v;
            }
          }
        if (!units) return;
        for (const [k, v] of Object.entries(totals))
          if (form.getFieldValue(['figures', k]) === undefined) form.setFieldValue(['figures', k], v);
        setSummed({ units, of });
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [canReply, write, own.state, own.passedDown, d.figures, form]);
  return (
    <Card
      size="small"
      title="本单位办理"
      style={{ marginBottom: 12 }}
      extra={<Tag color={STATUS_COLOR[own.status]}>{BOARD_LABELS[own.status]}</Tag>}
    >
      {own.state === 'returned' && (
        <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={`已退回：${own.returnReason}`} />
      )}
      {own.late && (
        <Tag color="orange" style={{ marginBottom: 8 }}>
          逾期回复
        </Tag>
      )}
      {own.state === 'replied' && (
        <Tag color={own.acceptedAt ? 'green' : 'default'} style={{ marginBottom: 8 }}>
          {own.acceptedAt ? `上级已采纳（${ymdhm(own.acceptedAt)}）` : '待上级审阅'}
        </Tag>
      )}
      {own.state === 'pending' && write && (
        <Button
          type="primary"
          loading={busy}
          onClick={() => act(() => call(receiveTarget, { params: { id: own.id } }), '已签收')}
          style={{ marginRight: 8, marginBottom: 8 }}
          data-testid="receive"
        >
          签收
        </Button>
      )}
      {d.kind === 'task' && write && own.state !== 'replied' && me!.jurisdiction.level !== 'station' && (
        <Button icon={<ShareAltOutlined />} onClick={onPassDown} style={{ marginBottom: 8 }} data-testid="pass-down">
          转派下级
        </Button>
      )}
      {own.repliedAt && own.state === 'replied' && (
        <Descriptions
          size="small"
          column={1}
          items={[
            {
              key: 'r',
              label: '回复',
              children: <span style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{own.replyText}</span>,
            },
            { key: 't', label: '回复时间', children: `${ymdhm(own.repliedAt)}（${own.repliedByName}）` },
            ...(own.replyFigures
              ? [
                  {
                    key: 'f',
                    label: '数字',
                    children: d.figures
                      .map((f) => `${f.label} ${own.replyFigures![f.key] ?? '—'}${f.unit ?? ''}`)
                      .join('；'),
                  },
                ]
              : []),
            ...(own.links.length
              ? [
                  {
                    key: 'l',
                    label: '关联记录',
                    children: own.links.map((l) => (
                      <Link key={`${l.kind}${l.id}`} to={l.path}>
                        {l.label}{' '}
                      </Link>
                    )),
                  },
                ]
              : []),
          ]}
        />
      )}
      {(canReply || files.length > 0) && (
        <div style={{ margin: '8px 0' }}>
          <AttachmentList
            items={files}
            onRemoved={canReply && write ? (id) => setFiles((x) => x.filter((f) => f.id !== id)) : undefined}
          />
          {canReply && write && (
            <div style={{ marginTop: 8 }}>
              <AttachmentUpload
                ownerType="deployment_target"
                ownerId={own.id}
                onUploaded={(a) => setFiles((x) => [...x, a])}
              />
            </div>
          )}
        </div>
      )}
      {canReply && write && (
        <Form
          form={form}
          layout="vertical"
          // After a return the reply to correct is the one sent: change what was questioned, not retype it all.
          initialValues={
            own.state === 'returned'
              ? {
                  text: own.replyText ?? undefined,
                  figures: own.replyFigures ?? undefined,
                  links: own.links.map((l) => ({ kind: l.kind, id: l.id })),
                }
              : undefined
          }
          onFinish={(v: BodyOf<typeof replyTarget>) =>
            act(
              () =>
                call(replyTarget, {
                  params: { id: own.id },
                  body: {
                    text: v.text,
                    ...(d.figures.length ? { figures: v.figures } : {}),
                    links: (v.links ?? []).filter((l) => l?.kind && l?.id),
                  },
                }),
              '已回复',
            )
          }
        >
          <Form.Item
            name="text"
            label="办理情况"
            rules={[{ required: true, message: '请填写办理情况' }, zodRule(replyBody.shape.text)]}
          >
            <Input.TextArea rows={4} maxLength={20000} data-testid="reply-text" />
          </Form.Item>
          {d.figures.map((f) => (
            <Form.Item
              key={f.key}
              name={['figures', f.key]}
              label={f.label}
              rules={[{ required: true, message: `请填写${f.label}` }]}
            >
              <InputNumber min={0} style={{ width: '100%' }} addonAfter={f.unit} />
            </Form.Item>
          ))}
          {summed && (
            <Typography.Paragraph type="secondary" style={{ marginTop: -8 }} data-testid="figures-summed">
              以上数字已按转派下级的回复合计预填（{summed.units}/{summed.of} 个单位已回复），请核对后提交。
            </Typography.Paragraph>
          )}
          <Form.List name="links">
            {(fields, { add, remove }) => (
              <Form.Item
                label="关联系统中已有的记录（可选）"
                extra="走访、诉求、核实线索、导入或报表已在系统中的，选择关联即可，不必重复填写"
              >
                {fields.map((f) => (
                  <Space key={f.key} style={{ display: 'flex', marginBottom: 8 }} align="baseline" wrap>
                    <Form.Item name={[f.name, 'kind']} noStyle rules={[{ required: true, message: '类别' }]}>
                      <Select
                        style={{ width: 120 }}
                        onChange={() => form.setFieldValue(['links', f.name, 'id'], undefined)}
                        placeholder="类别"
                        options={Object.entries(LINK_KINDS).map(([value, label]) => ({ value, label }))}
                      />
                    </Form.Item>
                    <Form.Item noStyle shouldUpdate>
                      {() => (
                        <Form.Item name={[f.name, 'id']} noStyle rules={[{ required: true, message: '请选择记录' }]}>
                          <LinkPicker kind={form.getFieldValue(['links', f.name, 'kind'])} />
                        </Form.Item>
                      )}
                    </Form.Item>
                    <MinusCircleOutlined onClick={() => remove(f.name)} />
                  </Space>
                ))}
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add()}>
                  添加关联
                </Button>
              </Form.Item>
            )}
          </Form.List>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
            附件可选，不要求拍照打卡；系统中已有的记录无需重复填报。
          </Typography.Paragraph>
          <Button type="primary" htmlType="submit" loading={busy} block data-testid="reply-submit">
            提交回复
          </Button>
        </Form>
      )}
      {own.passedDown.length > 0 && (
        <div style={{ marginTop: 8 }}>
          {own.passedDown.map((p) => (
            <div key={p.id}>
              <Link to={`/work/${p.id}`}>已转派：{p.title}</Link>（办结 {p.counts.done}/{p.counts.total}）
            </div>
          ))}
        </div>
      )}
    </Card>
  );
}

/** The issuer's live board: the tiles, then each node as a card (status visible), expanding to its reply; return with a reason; Excel. */
function BoardPanel({
  id,
  board,
  figures,
  write,
  onChanged,
}: {
  id: number;
  board: Board;
  figures: Detail['figures'];
  write: boolean;
  onChanged: () => void;
}) {
  const { message } = App.useApp();
  const { me } = useAuth();
  const [returning, setReturning] = useState<Target | null>(null);
  const [accepting, setAccepting] = useState<number | null>(null);
  const [area, setArea] = useState<string | null>(null);
  const [statusFilter, setStatusFilter] = useState<StatusFilter>('all');
  const shown = filterTargets(board, area, statusFilter);
  const areaTitle =
    me!.jurisdiction.level === 'nation'
      ? '各省进度'
      : me!.jurisdiction.level === 'province'
        ? '各市进度'
        : '各县（区）进度';
  const accept = async (t: Target) => {
    setAccepting(t.id);
    try {
      await call(acceptTarget, { params: { id: t.id } });
      message.success(`已采纳 ${t.node.name} 的回复`);
      onChanged();
    } catch (e) {
      message.error(applyProblem(null, e));
    } finally {
      setAccepting(null);
    }
  };
  const toReview = board.targets.filter((t) => t.state === 'replied' && !t.acceptedAt).length;
  const c = board.counts;
  // The asked figures added up over the replies standing (a returned one is out until sent again).
  const replied = board.targets.filter((t) => t.state === 'replied' && t.replyFigures);
  const sums: Record<string, number> = {};
  for (const t of replied) for (const [k, v] of Object.entries(t.replyFigures!)) sums[k] = (sums[k] ?? 0) + v;
  const tiles: [string, number, string?][] = [
    ['接收单位', c.total],
    ['已办结', c.done, '#389e0d'],
    ['已签收未办结', c.received],
    ['未签收', c.pending],
    ['退回待重报', c.returned, '#d48806'],
    ['逾期未办结', c.overdue, '#cf1322'],
  ];
  return (
    <Card
      size="small"
      title="办理情况"
      extra={
        <DownloadButton type="link" size="small" href={`/api/v1/deployments/${id}/board.xlsx`}>
          导出
        </DownloadButton>
      }
      data-testid="board"
    >
      <Row gutter={[8, 8]} style={{ marginBottom: 12 }}>
        {tiles.map(([label, value, color]) => (
          <Col key={label} xs={8} sm={4}>
            <Statistic title={label} value={value} styles={{ content: { color, fontSize: 20 } }} />
          </Col>
        ))}
      </Row>
      {c.late > 0 && <Typography.Text type="secondary">其中逾期回复 {c.late} 个。</Typography.Text>}
      {toReview > 0 && write && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 8 }}
          data-testid="to-review"
          title={`${toReview} 个单位的回复待审阅：展开后采纳，或写明原因退回`}
        />
      )}
      {figures.length > 0 && replied.length > 0 && (
        <div style={{ marginBottom: 8 }} data-testid="board-totals">
          <Typography.Text strong>
            合计（{replied.length} 个单位已回复）：
            {figures.map((f) => `${f.label} ${sums[f.key] ?? 0}${f.unit ?? ''}`).join('；')}
          </Typography.Text>
        </div>
      )}
      {areasWorthShowing(board.areas) && (
        <AreaProgress areas={board.areas} title={areaTitle} selected={area} onSelect={setArea} />
      )}
      {board.targets.length > 1 && <StatusChips board={board} value={statusFilter} onChange={setStatusFilter} />}
      {shown.length === 0 ? (
        <Empty
          description={board.targets.length === 0 ? '没有接收单位' : '没有符合筛选条件的单位'}
          image={Empty.PRESENTED_IMAGE_SIMPLE}
        />
      ) : (
        <Collapse
          size="small"
          items={shown.map((t) => ({
            key: t.id,
            label: (
              <Space wrap size={[6, 2]}>
                <span>{t.node.name}</span>
                <Tag color={STATUS_COLOR[t.status]}>{t.statusLabel}</Tag>
                {t.late && <Tag color="orange">逾期回复</Tag>}
                {t.noAccount && <Tag color="red">无账号，无人签收</Tag>}
                {t.state === 'replied' &&
                  (t.acceptedAt ? <Tag color="green">已采纳</Tag> : <Tag color="gold">待审阅</Tag>)}
              </Space>
            ),
            children: (
              <div style={{ minWidth: 0 }}>
                <Descriptions
                  size="small"
                  column={1}
                  items={[
                    {
                      key: 'r',
                      label: '签收',
                      children: t.receivedAt ? `${ymdhm(t.receivedAt)}（${t.receivedByName}）` : '未签收',
                    },
                    {
                      key: 'p',
                      label: '回复',
                      children: t.repliedAt ? `${ymdhm(t.repliedAt)}（${t.repliedByName}）` : '未回复',
                    },
                    ...(t.replyText
                      ? [
                          {
                            key: 't',
                            label: '办理情况',
                            children: (
                              <span style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{t.replyText}</span>
                            ),
                          },
                        ]
                      : []),
                    ...(t.replyFigures
                      ? [
                          {
                            key: 'f',
                            label: '数字',
                            children: Object.entries(t.replyFigures)
                              .map(([k, v]) => {
                                const f = figures.find((x) => x.key === k);
                                return `${f?.label ?? k} ${v}${f?.unit ?? ''}`;
                              })
                              .join('；'),
                          },
                        ]
                      : []),
                    ...(t.links.length
                      ? [
                          {
                            key: 'l',
                            label: '关联记录',
                            children: t.links.map((l) => (
                              <Link key={`${l.kind}${l.id}`} to={l.path}>
                                {l.label}{' '}
                              </Link>
                            )),
                          },
                        ]
                      : []),
                    ...(t.returnReason ? [{ key: 'x', label: '退回原因', children: t.returnReason }] : []),
                  ]}
                />
                <AttachmentList items={t.attachments} />
                {t.passedDown.map((p) => (
                  <div key={p.id}>
                    <Link to={`/work/${p.id}`}>已转派：{p.title}</Link>（办结 {p.counts.done}/{p.counts.total}）
                  </div>
                ))}
                {t.acceptedAt && (
                  <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
                    已采纳：{ymdhm(t.acceptedAt)}（{t.acceptedByName}）
                  </Typography.Paragraph>
                )}
                {write && t.state === 'replied' && !t.acceptedAt && (
                  <Space style={{ marginTop: 8, display: 'flex' }} wrap>
                    <Button
                      type="primary"
                      size="small"
                      loading={accepting === t.id}
                      onClick={() => void accept(t)}
                      data-testid="accept"
                    >
                      采纳
                    </Button>
                    <Button danger size="small" onClick={() => setReturning(t)}>
                      退回
                    </Button>
                  </Space>
                )}
              </div>
            ),
          }))}
        />
      )}
      {returning && (
        <FormModal<BodyOf<typeof returnTarget>>
          title={`退回 ${returning.node.name} 的回复`}
          okText="退回"
          danger
          onClose={() => setReturning(null)}
          onSubmit={async (body) => {
            await call(returnTarget, { params: { id: returning.id }, body });
            message.success('已退回');
            setReturning(null);
            onChanged();
          }}
        >
          <Form.Item
            name="reason"
            label="退回原因"
            rules={[{ required: true, message: '退回须写明原因' }, zodRule(returnBody.shape.reason)]}
          >
            <Input.TextArea rows={3} />
          </Form.Item>
        </FormModal>
      )}
    </Card>
  );
}

type Revision = Omit<BodyOf<typeof reviseDeployment>, 'dueAt'> & { due?: Dayjs };

/** The issuer's correction (title, text, deadline, what to reply with; a word on why) or withdrawal (a reason). */
function ChangeIssued({
  d,
  what,
  onClose,
  onDone,
}: {
  d: Detail;
  what: 'revise' | 'withdraw';
  onClose: () => void;
  onDone: () => Promise<void>;
}) {
  const { message } = App.useApp();
  if (what === 'withdraw')
    return (
      <FormModal<BodyOf<typeof withdrawDeployment>>
        title={`撤回${d.kindLabel}`}
        okText="撤回"
        danger
        onClose={onClose}
        onSubmit={async (body) => {
          await call(withdrawDeployment, { params: { id: d.id }, body });
          message.success(`已撤回；各接收单位已收到提醒${d.kind === 'task' ? '，转派到下级的一并撤回' : ''}`);
          onClose();
          await onDone();
        }}
      >
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          title="撤回后各单位不能再签收或回复；已收到的回复和附件保留。"
        />
        <Form.Item
          name="reason"
          label="撤回原因"
          rules={[{ required: true, message: '撤回须写明原因' }, zodRule(withdrawBody.shape.reason)]}
        >
          <Input.TextArea rows={3} />
        </Form.Item>
      </FormModal>
    );
  return (
    <FormModal<Revision>
      title={`修改${d.kindLabel}`}
      okText="保存并通知"
      width={640}
      initialValues={{
        title: d.title,
        body: d.body,
        evidence: d.evidence ?? '',
        ...(d.dueAt ? { due: pickerOf(d.dueAt) } : {}),
      }}
      onClose={onClose}
      onSubmit={async ({ due, ...v }) => {
        // The deadline goes only when the clerk moved it: the picker keeps minutes, not 23:59:59.
        const moved = due && (!d.dueAt || !due.isSame(pickerOf(d.dueAt), 'minute'));
        await call(reviseDeployment, {
          params: { id: d.id },
          body: { ...v, ...(moved ? { dueAt: due.format('YYYY-MM-DDTHH:mm') } : {}) },
        });
        message.success('已修改；未办结的单位已收到提醒');
        onClose();
        await onDone();
      }}
    >
      <Form.Item
        name="title"
        label="标题"
        rules={[{ required: true, message: '请填写标题' }, zodRule(reviseBody.shape.title)]}
      >
        <Input />
      </Form.Item>
      <Form.Item
        name="body"
        label={d.kind === 'task' ? '任务要求' : '正文'}
        rules={[{ required: true, message: '请填写正文或任务要求' }, zodRule(reviseBody.shape.body)]}
      >
        <Input.TextArea rows={5} />
      </Form.Item>
      <Form.Item name="due" label="截止时间" rules={[{ required: d.kind === 'task', message: '工作任务须设截止时间' }]}>
        <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
      </Form.Item>
      {d.kind === 'task' && (
        <Form.Item name="evidence" label="回复要求">
          <Input.TextArea rows={2} />
        </Form.Item>
      )}
      <Form.Item
        name="note"
        label="修改说明"
        extra="接收单位会在提醒和办理经过中看到这句话"
        rules={[{ required: true, message: '请说明修改的内容或原因' }, zodRule(reviseBody.shape.note)]}
      >
        <Input.TextArea rows={2} />
      </Form.Item>
    </FormModal>
  );
}
