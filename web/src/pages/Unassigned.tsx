import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  Modal,
  Popconfirm,
  Radio,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { Link } from 'react-router-dom';
import type { ResponseOf } from '@server/http/contract';
import {
  assignStations,
  deleteStationRule,
  exportUnassigned,
  listStationRules,
  listUnassigned,
  type StationRule,
  type UnassignedItem,
} from '@server/features/station-assignment/contract';
import { listStations, type Station as JStation } from '@server/features/jurisdictions/contract';
import { call, withQuery } from '../api';
import { useAuth } from '../auth';
import { PageTitle } from '../Layout';
import { usePaged } from '../components/usePaged';
import { applyProblem } from '../components/problem';
import { ListOrCards } from '../components/ListOrCards';
import { DownloadButton } from '../components/DownloadButton';

type Item = UnassignedItem;
type County = ResponseOf<typeof listUnassigned>['counties'][number];
type Station = JStation;
type Rule = StationRule;

/**
 * 待分配基层所: entities an import could not place at a station. Staff assign the chosen rows,
 * or every address naming a road, street or keyword, to a station of their county; a keyword
 * can be remembered, and the next imports place such addresses by it.
 */
export default function Unassigned() {
  const { me } = useAuth();
  const { message } = App.useApp();
  const [countyCode, setCountyCode] = useState<string | undefined>(undefined);
  const [q, setQ] = useState('');
  const [selected, setSelected] = useState<number[]>([]);
  const [open, setOpen] = useState(false);
  const [stations, setStations] = useState<Station[]>([]);
  const [rules, setRules] = useState<Rule[]>([]);
  const filters = { countyCode, q: q || undefined };
  const list = usePaged(listUnassigned, filters);
  // Each county's count comes with the list's answer (the page read the list a second time for them).
  const counties: County[] = list.data?.counties ?? [];
  const canAssign = (me?.jurisdiction.code.length ?? 9) <= 6 && me?.permissions.includes('data.write');

  const loadSide = useCallback(async () => {
    const [st, r] = await Promise.all([call(listStations, { query: { pageSize: 200 } }), call(listStationRules)]);
    setStations(st.items);
    setRules(r.items);
  }, []);
  useEffect(() => {
    void loadSide().catch((e) => message.error(applyProblem(null, e)));
  }, [loadSide, message]);

  const done = () => {
    setOpen(false);
    setSelected([]);
    void list.reload();
    void loadSide();
  };

  return (
    <div>
      <PageTitle
        title="待分配基层所"
        extra={<DownloadButton href={withQuery(`/api/v1${exportUnassigned.path}`, filters)}>导出 Excel</DownloadButton>}
      />
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        title="导入时按登记机关（为基层所时）或住所、街道列中的乡镇（街道）自动分配基层所；这里是未能确定基层所的主体。可勾选后分配，或按住所中的路名、街道、小区等关键词批量分配，并记住规则供以后导入自动使用。"
      />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space wrap>
          <Select
            allowClear
            placeholder="全部县区"
            style={{ width: 200 }}
            value={countyCode}
            onChange={(v) => {
              setCountyCode(v);
              setSelected([]);
            }}
            options={counties.map((c) => ({ value: c.code, label: `${c.name}（${c.unassigned}）` }))}
            data-testid="unassigned-county"
          />
          <Input.Search
            allowClear
            placeholder="住所或名称中的关键词，如 中山路"
            style={{ width: 280 }}
            onSearch={(v) => {
              setQ(v.trim());
              setSelected([]);
            }}
            data-testid="unassigned-search"
          />
          {canAssign && (
            <Button type="primary" disabled={!list.total} onClick={() => setOpen(true)} data-testid="unassigned-assign">
              分配基层所{selected.length ? `（已选 ${selected.length}）` : ''}
            </Button>
          )}
        </Space>
      </Card>
      <Card size="small" title={`未分配基层所的主体（${list.total}）`}>
        <ListOrCards<Item>
          error={list.error}
          onRetry={list.reload}
          rowKey="id"
          size="small"
          dataSource={list.items}
          loading={list.loading}
          pagination={list.pagination}
          scroll={{ x: 800 }}
          locale={{ emptyText: '没有待分配的主体' }}
          card={(e) => ({
            title: <Link to={`/entities/${e.id}`}>{e.name}</Link>,
            lines: [`${e.kindLabel} · ${e.uscc ?? e.regNo ?? ''}`, `${e.countyName}：${e.address ?? '住所未填写'}`],
          })}
          rowSelection={
            canAssign ? { selectedRowKeys: selected, onChange: (keys) => setSelected(keys as number[]) } : undefined
          }
          columns={[
            { title: '名称', dataIndex: 'name', render: (n: string, e) => <Link to={`/entities/${e.id}`}>{n}</Link> },
            { title: '统一社会信用代码/注册号', key: 'code', width: 200, render: (_, e) => e.uscc ?? e.regNo },
            { title: '类型', dataIndex: 'kindLabel', width: 110 },
            { title: '县区', dataIndex: 'countyName', width: 100 },
            {
              title: '住所',
              dataIndex: 'address',
              render: (a: string | null) => a ?? <Typography.Text type="secondary">未填写</Typography.Text>,
            },
          ]}
        />
      </Card>
      <Card size="small" title="已记住的分配规则" style={{ marginTop: 16 }}>
        <Table<Rule>
          rowKey="id"
          size="small"
          dataSource={rules}
          pagination={false}
          locale={{ emptyText: '还没有规则' }}
          columns={[
            { title: '县区', dataIndex: 'countyName', width: 120 },
            { title: '住所含', dataIndex: 'keyword', render: (k: string) => <Tag>{k}</Tag> },
            { title: '分配到', dataIndex: 'stationName' },
            ...(canAssign
              ? [
                  {
                    title: '操作',
                    key: 'op',
                    width: 90,
                    render: (_: unknown, r: Rule) => (
                      <Popconfirm
                        title="删除这条规则？已分配的主体不变。"
                        onConfirm={() =>
                          call(deleteStationRule, { params: { id: r.id } }).then(loadSide, (e) =>
                            message.error(applyProblem(null, e)),
                          )
                        }
                      >
                        <a>删除</a>
                      </Popconfirm>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      {open && (
        <AssignModal
          selected={selected}
          keyword={q}
          countyCode={countyCode}
          counties={counties}
          stations={stations}
          onClose={() => setOpen(false)}
          onDone={done}
        />
      )}
    </div>
  );
}

function AssignModal(props: {
  selected: number[];
  keyword: string;
  countyCode?: string;
  counties: County[];
  stations: Station[];
  onClose: () => void;
  onDone: () => void;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const by = Form.useWatch('by', form) ?? (props.selected.length ? 'selected' : 'keyword');
  const county = Form.useWatch('countyCode', form) ?? props.countyCode;
  const stations = props.stations.filter((s) => !county || s.parentCode === county);

  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    setError(null);
    try {
      const body =
        v.by === 'selected'
          ? { stationCode: v.stationCode, entityIds: props.selected }
          : { stationCode: v.stationCode, keyword: v.keyword, remember: v.remember };
      const res = await call(assignStations, { body });
      message.success(`已分配 ${res.assigned} 个主体${res.ruleId ? '，并记住了规则' : ''}`);
      props.onDone();
    } catch (e) {
      setError(applyProblem(form, e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title="分配基层所"
      okText="分配"
      cancelText="取消"
      onOk={() => void submit()}
      confirmLoading={saving}
      onCancel={props.onClose}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form
        form={form}
        layout="vertical"
        initialValues={{
          by: props.selected.length ? 'selected' : 'keyword',
          keyword: props.keyword,
          remember: true,
          countyCode: props.countyCode,
        }}
      >
        <Form.Item name="by" label="分配哪些主体">
          <Radio.Group
            options={[
              { value: 'selected', label: `所选主体（${props.selected.length}）`, disabled: !props.selected.length },
              { value: 'keyword', label: '住所含关键词的全部主体' },
            ]}
          />
        </Form.Item>
        {by === 'keyword' && (
          <>
            <Form.Item
              name="keyword"
              label="路名、街道或关键词"
              rules={[
                { required: true, message: '请填写关键词' },
                { min: 2, message: '关键词至少 2 个字' },
              ]}
            >
              <Input placeholder="如 中山路、梅园新村" maxLength={40} data-testid="assign-keyword" />
            </Form.Item>
            <Form.Item name="remember" valuePropName="checked">
              <Checkbox>记住此规则：以后导入的住所含此关键词时自动分配到该基层所</Checkbox>
            </Form.Item>
          </>
        )}
        <Form.Item name="countyCode" label="县区">
          <Select
            allowClear
            placeholder="全部县区"
            options={props.counties.map((c) => ({ value: c.code, label: c.name }))}
          />
        </Form.Item>
        <Form.Item name="stationCode" label="基层所" rules={[{ required: true, message: '请选择基层所' }]}>
          <Select
            showSearch
            optionFilterProp="label"
            placeholder="选择基层所"
            options={stations.map((s) => ({ value: s.code, label: `${s.countyName} ${s.name}` }))}
            data-testid="assign-station"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
