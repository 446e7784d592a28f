import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Descriptions,
  Drawer,
  Empty,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { call, withQuery } from '../../api';
import type { BodyOf } from '@server/http/contract';
import {
  addTrainees,
  createTraining,
  getTraining,
  listSecretaries,
  listTrainings,
  removeTrainee,
  trainingIndicator,
  updateTrainee,
  type SecretaryRow as Secretary,
  type TrainingIndicator as IndicatorData,
  type TrainingRow as ClassRow,
} from '@server/features/recognition/contract';
import { useAuth } from '../../auth';
import { usePaged } from '../../components/usePaged';
import { applyProblem } from '../../components/problem';
import { JurisdictionPicker } from '../../components/JurisdictionPicker';
import { SearchSelect } from '../../components/SearchSelect';
import { FormModal } from '../../components/FormModal';
import { AreaBars } from '../../components/AreaBars';
import { ListOrCards } from '../../components/ListOrCards';
import { drawerSize } from '../../components/drawer';
import { pct, toOptions, ymd } from '../../components/format';
import { zodRule } from '../../components/zodRule';
import { CLASS_LEVEL_LABEL, SECRETARY_STATUS_LABEL, type SecretaryStatus } from '@domain/recognition/training';
import { atOrAbove } from '@domain/recognition/points';
import { Loaded, useLoad } from '../../components/Loading';
import { DownloadButton } from '../../components/DownloadButton';

/** The forms: the routes' bodies, the dates as the pickers hold them. */
type NewClass = Omit<BodyOf<typeof createTraining>, 'startsOn' | 'endsOn'> & { dates: [dayjs.Dayjs, dayjs.Dayjs] };

const classField = createTraining.body.shape;

const STATUS_COLOR: Record<SecretaryStatus, string> = { trained: 'green', pending: 'blue', overdue: 'red' };

export function Training() {
  const { me, can } = useAuth();
  const [under, setUnder] = useState<string | undefined>();
  const [ind, setInd] = useState<IndicatorData | null>(null);
  const [indError, setIndError] = useState<string | null>(null);
  const [sf, setSf] = useState<Record<string, string | undefined>>({});
  const secretaries = usePaged(listSecretaries, { ...sf, under });
  const [cf, setCf] = useState<Record<string, string | undefined>>({});
  const classes = usePaged(listTrainings, { ...cf, under });
  const [open, setOpen] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const loadInd = useCallback(
    () =>
      call(trainingIndicator, { query: { under } }).then(
        (d) => {
          setInd(d);
          setIndError(null);
        },
        (e) => setIndError(applyProblem(null, e)),
      ),
    [under],
  );
  useEffect(() => void loadInd(), [loadInd]);
  const changed = () => {
    void classes.reload();
    void secretaries.reload();
    void loadInd();
  };
  const myLevel = me!.jurisdiction.level;
  const canHold = can('data.write') && myLevel !== 'station';
  const kids = ind?.children.filter((c) => c.all.secretaries > 0) ?? [];

  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        <div style={{ width: 220 }}>
          <JurisdictionPicker
            root={me!.jurisdiction.code}
            value={under}
            onChange={(v) => setUnder(v || undefined)}
            placeholder="辖区（默认本级）"
          />
        </div>
        <Typography.Text type="secondary">
          指标口径：在任党组织书记中，任职后 12 个月内参加培训并结业的比例；"当年新建"指成立于本年度的组织。
        </Typography.Text>
      </Space>
      {indError && <Alert type="error" title={indError} style={{ marginBottom: 12 }} />}
      {ind && (
        <Card size="small" title={`${ind.node.name} · 书记培训指标（截至 ${ind.asOf}）`} style={{ marginBottom: 16 }}>
          <Row gutter={[16, 16]}>
            <Col xs={24} lg={9}>
              <Row gutter={[16, 16]}>
                <Col span={12}>
                  <Statistic title="在任书记按期培训率" value={pct(ind.total.all.share)} />
                </Col>
                <Col span={12}>
                  <Statistic title="当年新建组织书记按期培训率" value={pct(ind.total.newOrgs.share)} />
                </Col>
                <Col span={8}>
                  <Statistic title="在任书记" value={ind.total.all.secretaries} />
                </Col>
                <Col span={8}>
                  <Statistic title="已按期培训" value={ind.total.all.trained} />
                </Col>
                <Col span={8}>
                  <Statistic title="期限内待培训" value={ind.total.all.pending} />
                </Col>
              </Row>
            </Col>
            {/* A station has no level below it: no chart of children to show there. */}
            {ind.children.length > 0 && (
              <Col xs={24} lg={15}>
                {kids.length ? (
                  <AreaBars
                    names={kids.map((c) => c.name)}
                    percent
                    onClick={(i) => setUnder(kids[i].code)}
                    series={[
                      {
                        name: '全部书记',
                        color: '#c62828',
                        values: kids.map((c) => +((c.all.share ?? 0) * 100).toFixed(1)),
                      },
                      {
                        name: '当年新建组织书记',
                        color: '#fa8c16',
                        values: kids.map((c) => +((c.newOrgs.share ?? 0) * 100).toFixed(1)),
                      },
                    ]}
                  />
                ) : (
                  <Empty description="下级辖区暂无在任书记" />
                )}
              </Col>
            )}
          </Row>
        </Card>
      )}
      <Card
        size="small"
        title="在任书记培训情况"
        style={{ marginBottom: 16 }}
        extra={
          <DownloadButton size="small" href={withQuery('/api/v1/trainings/secretaries/export', { ...sf, under })}>
            导出 Excel
          </DownloadButton>
        }
      >
        <Space wrap style={{ marginBottom: 12 }}>
          <Input.Search
            placeholder="书记或组织名称"
            allowClear
            onSearch={(v) => setSf((x) => ({ ...x, q: v || undefined }))}
            style={{ width: 200 }}
          />
          <Select
            allowClear
            placeholder="培训情况"
            style={{ width: 160 }}
            onChange={(v) => setSf((x) => ({ ...x, status: v }))}
            options={toOptions(SECRETARY_STATUS_LABEL)}
          />
          <Checkbox onChange={(e) => setSf((x) => ({ ...x, newOrgs: e.target.checked ? 'true' : undefined }))}>
            仅当年新建组织
          </Checkbox>
        </Space>
        <ListOrCards<Secretary>
          error={secretaries.error}
          onRetry={secretaries.reload}
          rowKey="id"
          size="small"
          card={(r) => ({
            title: r.name,
            status: (
              <Tag color={STATUS_COLOR[r.status]}>
                {r.statusLabel}
                {r.trainedOn ? ` ${r.trainedOn}` : ''}
              </Tag>
            ),
            due: { label: '培训期限', value: r.windowEnd },
            lines: [r.orgName, `${r.place} · 任职 ${r.termStart}`],
          })}
          loading={secretaries.loading}
          dataSource={secretaries.items}
          pagination={secretaries.pagination}
          scroll={{ x: 860 }}
          locale={{ emptyText: '没有符合条件的在任书记。书记在"党组织"页的班子成员中任命。' }}
          columns={[
            { title: '书记', dataIndex: 'name', width: 90, fixed: 'left' },
            { title: '党组织', dataIndex: 'orgName', width: 220 },
            { title: '县区 / 基层所', dataIndex: 'place', width: 160 },
            { title: '任职日期', dataIndex: 'termStart', width: 100 },
            { title: '培训期限', dataIndex: 'windowEnd', width: 100 },
            {
              title: '培训情况',
              dataIndex: 'status',
              width: 140,
              render: (s: SecretaryStatus, r) => (
                <Tag color={STATUS_COLOR[s]}>
                  {r.statusLabel}
                  {r.trainedOn ? ` ${r.trainedOn}` : ''}
                </Tag>
              ),
            },
          ]}
        />
      </Card>
      <Card
        size="small"
        title="培训班"
        extra={
          <Space>
            <DownloadButton size="small" href={withQuery('/api/v1/trainings/export', { ...cf, under })}>
              导出 Excel
            </DownloadButton>
            {canHold && (
              <Button size="small" type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
                举办培训班
              </Button>
            )}
          </Space>
        }
      >
        <Space wrap style={{ marginBottom: 12 }}>
          <Input.Search
            placeholder="培训班名称"
            allowClear
            onSearch={(v) => setCf((x) => ({ ...x, q: v || undefined }))}
            style={{ width: 180 }}
          />
          <Select
            allowClear
            placeholder="级别"
            style={{ width: 120 }}
            onChange={(v) => setCf((x) => ({ ...x, level: v }))}
            options={toOptions(CLASS_LEVEL_LABEL)}
          />
          <InputNumber
            placeholder="年度"
            min={2000}
            max={2100}
            style={{ width: 100 }}
            onChange={(v) => setCf((x) => ({ ...x, year: v ? String(v) : undefined }))}
          />
        </Space>
        <ListOrCards<ClassRow>
          error={classes.error}
          onRetry={classes.reload}
          rowKey="id"
          size="small"
          loading={classes.loading}
          dataSource={classes.items}
          pagination={classes.pagination}
          scroll={{ x: 860 }}
          onOpen={(c) => setOpen(c.id)}
          card={(c) => ({
            title: c.name,
            status: !c.mine && <Tag>上级举办</Tag>,
            due: { label: '日期', value: `${c.startsOn} 至 ${c.endsOn}` },
            lines: [
              [c.levelLabel, c.organizer].filter(Boolean).join(' · '),
              `学员 ${c.trainees} · 出勤 ${c.attended} · 结业 ${c.completed}`,
            ],
          })}
          locale={{
            emptyText: canHold ? '还没有培训班。点击"举办培训班"登记，再从在任书记中选学员。' : '没有培训班记录。',
          }}
          columns={[
            {
              title: '名称',
              dataIndex: 'name',
              width: 220,
              fixed: 'left',
              render: (n: string, c) => (
                <Space size={4}>
                  {n}
                  {!c.mine && <Tag>上级举办</Tag>}
                </Space>
              ),
            },
            { title: '级别', dataIndex: 'levelLabel', width: 90 },
            { title: '日期', key: 'd', width: 200, render: (_, c) => `${c.startsOn} 至 ${c.endsOn}` },
            { title: '举办单位', dataIndex: 'organizer', width: 120 },
            {
              title: '学员 / 出勤 / 结业',
              key: 'n',
              width: 140,
              render: (_, c) => `${c.trainees} / ${c.attended} / ${c.completed}`,
            },
          ]}
        />
      </Card>
      {open && <ClassDrawer id={open} onClose={() => setOpen(null)} onChanged={changed} />}
      {creating && (
        <FormModal<NewClass>
          title="举办书记培训班"
          onClose={() => setCreating(false)}
          initialValues={{ level: myLevel === 'station' ? undefined : myLevel }}
          onSubmit={async (v) => {
            await call(createTraining, {
              body: {
                name: v.name,
                level: v.level,
                startsOn: ymd(v.dates[0])!,
                endsOn: ymd(v.dates[1])!,
                place: v.place || undefined,
              },
            });
            setCreating(false);
            changed();
          }}
        >
          <Form.Item
            name="name"
            label="名称"
            rules={[{ required: true, message: '请输入名称' }, zodRule(classField.name)]}
          >
            <Input maxLength={60} placeholder="如 2026 年度县级党组织书记培训班" />
          </Form.Item>
          <Form.Item name="level" label="级别" rules={[{ required: true, message: '请选择级别' }]}>
            <Select
              options={(Object.keys(CLASS_LEVEL_LABEL) as (keyof typeof CLASS_LEVEL_LABEL)[])
                .filter((l) => atOrAbove(myLevel, l))
                .map((l) => ({ value: l, label: CLASS_LEVEL_LABEL[l] }))}
            />
          </Form.Item>
          <Form.Item name="dates" label="日期" rules={[{ required: true, message: '请选择起止日期' }]}>
            <DatePicker.RangePicker />
          </Form.Item>
          <Form.Item name="place" label="地点" rules={[zodRule(classField.place)]}>
            <Input maxLength={100} />
          </Form.Item>
        </FormModal>
      )}
    </>
  );
}

function ClassDrawer({ id, onClose, onChanged }: { id: number; onClose: () => void; onChanged: () => void }) {
  const { can } = useAuth();
  const { message } = App.useApp();
  const [picked, setPicked] = useState<number[]>([]);
  const { data: d, error, reload: load } = useLoad(useCallback(() => call(getTraining, { params: { id } }), [id]));
  const act = async (fn: () => Promise<unknown>, text: string) => {
    try {
      await fn();
      message.success(text);
      void load();
      onChanged();
    } catch (e) {
      message.error(applyProblem(null, e));
    }
  };
  const write = can('data.write') && d?.mine;
  return (
    <Drawer open size={drawerSize()} title={d?.name ?? '培训班'} onClose={onClose}>
      <Loaded data={d} error={error}>
        {(d) => (
          <>
            <Descriptions
              size="small"
              column={1}
              bordered
              items={[
                { label: '级别', children: d.levelLabel },
                { label: '日期', children: `${d.startsOn} 至 ${d.endsOn}` },
                { label: '地点', children: d.place ?? '—' },
                { label: '举办单位', children: d.organizer },
              ]}
            />
            {!d.mine && (
              <Alert
                type="info"
                showIcon
                style={{ marginTop: 12 }}
                title="上级举办的培训班，学员与考勤由举办单位登记；下表为本辖区的学员。"
              />
            )}
            {write && (
              <Space.Compact style={{ width: '100%', marginTop: 16 }}>
                <SearchSelect<Secretary>
                  mode="multiple"
                  path={listSecretaries.path}
                  value={picked}
                  onChange={(v) => setPicked(([] as number[]).concat(v ?? []))}
                  toOption={(s) => ({ value: s.id, label: `${s.name} · ${s.orgName}` })}
                  placeholder="从在任书记中选择学员"
                />
                <Button
                  type="primary"
                  disabled={!picked.length}
                  onClick={() =>
                    act(
                      () =>
                        call(addTrainees, { params: { id }, body: { officerIds: picked } }).then(() => setPicked([])),
                      '已登记学员',
                    )
                  }
                >
                  登记
                </Button>
              </Space.Compact>
            )}
            <Table
              size="small"
              rowKey="id"
              style={{ marginTop: 12 }}
              dataSource={d.traineeList}
              pagination={false}
              scroll={{ x: 560 }}
              locale={{ emptyText: '尚无学员' }}
              columns={[
                { title: '书记', dataIndex: 'name', width: 80 },
                { title: '党组织', dataIndex: 'orgName' },
                { title: '任职日期', dataIndex: 'termStart', width: 100 },
                {
                  title: '出勤',
                  dataIndex: 'attended',
                  width: 60,
                  render: (v: boolean, t) => (
                    <Checkbox
                      checked={v}
                      disabled={!write}
                      onChange={(e) =>
                        act(
                          () =>
                            call(updateTrainee, { params: { id, key: t.id }, body: { attended: e.target.checked } }),
                          '已保存',
                        )
                      }
                    />
                  ),
                },
                {
                  title: '结业',
                  dataIndex: 'completed',
                  width: 60,
                  render: (v: boolean, t) => (
                    <Checkbox
                      checked={v}
                      disabled={!write || !t.attended}
                      onChange={(e) =>
                        act(
                          () =>
                            call(updateTrainee, { params: { id, key: t.id }, body: { completed: e.target.checked } }),
                          '已保存',
                        )
                      }
                    />
                  ),
                },
                ...(write
                  ? [
                      {
                        title: '',
                        key: 'x',
                        width: 60,
                        render: (_: unknown, t: { id: number }) => (
                          <Popconfirm
                            title="移除该学员？"
                            onConfirm={() => act(() => call(removeTrainee, { params: { id, key: t.id } }), '已移除')}
                          >
                            <a>移除</a>
                          </Popconfirm>
                        ),
                      },
                    ]
                  : []),
              ]}
            />
          </>
        )}
      </Loaded>
    </Drawer>
  );
}
