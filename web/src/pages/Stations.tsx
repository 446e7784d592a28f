import { useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Drawer,
  Form,
  Grid,
  Input,
  Modal,
  Popconfirm,
  Row,
  Select,
  Space,
  Tag,
} from 'antd';
import { ApartmentOutlined, PlusOutlined } from '@ant-design/icons';
import { call } from '../api';
import {
  createStation,
  deleteStation,
  listStations,
  updateStation,
  type Station,
} from '@server/features/jurisdictions/contract';
import { zodRule } from '../components/zodRule';
import { useAuth } from '../auth';
import { PageTitle } from '../Layout';
import { JurisdictionTree, type JNode } from '../components/JurisdictionTree';
import { JurisdictionPicker } from '../components/JurisdictionPicker';
import { usePaged } from '../components/usePaged';
import { applyProblem } from '../components/problem';
import { Link, useNavigate } from 'react-router-dom';
import { ListOrCards } from '../components/ListOrCards';

export default function Stations() {
  const { me, can } = useAuth();
  const { message } = App.useApp();
  const root = me!.jurisdiction.code;
  const [under, setUnder] = useState<string>(root);
  const [q, setQ] = useState('');
  const [editing, setEditing] = useState<Station | 'new' | null>(null);
  const [treeKey, setTreeKey] = useState(0);
  const list = usePaged(listStations, { under: under.length === 6 ? under : undefined, q });
  // Stations are kept by their county's bureau (or a city's without counties): a province's editor is refused by the server.
  const canManage = can('jurisdiction.manage') && ['county', 'city'].includes(me!.jurisdiction.level);
  const nav = useNavigate();
  // On a phone the tree (a full screen of districts) gives way to a picker beside the search: the cards show at once.
  const screens = Grid.useBreakpoint();
  const phone = Object.keys(screens).length ? !screens.md : window.innerWidth < 768;
  const picker = phone && !['county', 'station'].includes(me!.jurisdiction.level);
  const [picking, setPicking] = useState(false);
  const [underName, setUnderName] = useState(me!.jurisdiction.name);
  const pick = (c: string, node?: JNode) => {
    setUnder(c.length === 9 ? c.slice(0, 6) : c);
    if (node && c.length !== 9) setUnderName(node.name);
  };

  const changed = () => {
    setEditing(null);
    setTreeKey((k) => k + 1);
    void list.reload();
  };
  // 修改 / 删除, in the table's last column and on the phone's card (a tap there does not open the station).
  const actions = (s: Station) => (
    <Space onClick={(e) => e.stopPropagation()}>
      <a onClick={() => setEditing(s)}>修改</a>
      <Popconfirm
        title="确认删除该所？"
        description="所下仍有账号或指导站时不能删除。"
        onConfirm={() =>
          call(deleteStation, { params: { code: s.code } }).then(
            () => {
              message.success('已删除');
              changed();
            },
            (e) => message.error(applyProblem(null, e)),
          )
        }
      >
        <a>删除</a>
      </Popconfirm>
    </Space>
  );

  return (
    <div>
      <PageTitle
        title="辖区与基层所"
        extra={
          canManage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
              新建基层所
            </Button>
          )
        }
      />
      <Row gutter={16}>
        {!phone && (
          <Col md={7}>
            <Card size="small" title="辖区" style={{ marginBottom: 16 }}>
              <JurisdictionTree root={root} selected={under} onSelect={pick} reloadKey={treeKey} />
            </Card>
          </Col>
        )}
        <Col xs={24} md={17}>
          <Card size="small">
            <Space
              style={{ marginBottom: 12, width: phone ? '100%' : undefined }}
              wrap
              direction={phone ? 'vertical' : 'horizontal'}
            >
              {/* A county's or a station's tree holds nothing but its stations, which the cards list anyway. */}
              {picker && (
                <Button block icon={<ApartmentOutlined />} onClick={() => setPicking(true)} data-testid="stations-area">
                  辖区：{underName}
                </Button>
              )}
              <Input.Search
                placeholder="按所名查找"
                allowClear
                onSearch={setQ}
                style={{ width: phone ? '100%' : 220 }}
              />
            </Space>
            <ListOrCards<Station>
              error={list.error}
              onRetry={list.reload}
              rowKey="code"
              size="middle"
              loading={list.loading}
              dataSource={list.items}
              pagination={list.pagination}
              scroll={{ x: 720 }}
              onOpen={(s) => void nav(`/guidance-posts/${s.code}`)}
              card={(s) => ({
                title: s.name,
                status: s.hasGuidancePost ? <Tag color="green">指导站已建</Tag> : <Tag>指导站未建</Tag>,
                lines: [
                  `${s.countyName} · 所代码 ${s.code}`,
                  s.servedAreas.length ? `服务：${s.servedAreas.join('、')}` : '服务乡镇（街道）未填',
                  ...(canManage ? [actions(s)] : []),
                ],
              })}
              locale={{
                emptyText: q
                  ? `没有名称含"${q}"的基层所`
                  : canManage
                    ? '本辖区还没有基层所，点击右上角"新建基层所"'
                    : '本辖区还没有基层所',
              }}
              columns={[
                { title: '所代码', dataIndex: 'code', width: 110 },
                {
                  title: '名称',
                  dataIndex: 'name',
                  render: (n: string, s: Station) => (
                    <Link to={`/guidance-posts/${s.code}`} title="指导站、驻所指导员与服务区域">
                      {n}
                    </Link>
                  ),
                },
                { title: '所属县区', dataIndex: 'countyName', width: 100 },
                {
                  title: '服务乡镇（街道）',
                  dataIndex: 'servedAreas',
                  render: (v: string[]) => v.map((a) => <Tag key={a}>{a}</Tag>),
                },
                {
                  title: '指导站',
                  dataIndex: 'hasGuidancePost',
                  width: 80,
                  render: (v: boolean) => (v ? <Tag color="green">已建</Tag> : <Tag>未建</Tag>),
                },
                ...(canManage
                  ? [
                      {
                        title: '操作',
                        key: 'op',
                        width: 120,
                        render: (_: unknown, s: Station) => actions(s),
                      },
                    ]
                  : []),
              ]}
            />
          </Card>
        </Col>
      </Row>
      {picker && (
        <Drawer
          placement="bottom"
          open={picking}
          onClose={() => setPicking(false)}
          title="选择辖区"
          size={Math.round(window.innerHeight * 0.7)}
          data-testid="stations-area-drawer"
        >
          <JurisdictionTree
            root={root}
            selected={under}
            onSelect={(c, node) => {
              pick(c, node);
              setPicking(false);
            }}
            reloadKey={treeKey}
          />
        </Drawer>
      )}
      {editing && (
        <StationForm
          root={root}
          station={editing === 'new' ? null : editing}
          defaultCounty={under.length === 6 ? under : undefined}
          onClose={() => setEditing(null)}
          onSaved={changed}
        />
      )}
    </div>
  );
}

function StationForm({
  root,
  station,
  defaultCounty,
  onClose,
  onSaved,
}: {
  root: string;
  station: Station | null;
  defaultCounty?: string;
  onClose: () => void;
  onSaved: () => void;
}) {
  const [form] = Form.useForm();
  const { message } = App.useApp();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      const body = { name: v.name, address: v.address || undefined, servedAreas: v.servedAreas ?? [] };
      if (station) await call(updateStation, { params: { code: station.code }, body });
      else await call(createStation, { body: { ...body, countyCode: v.countyCode, suffix: v.suffix } });
      message.success(station ? '已保存' : '基层所已创建');
      onSaved();
    } catch (e) {
      setError(applyProblem(form, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={station ? `修改基层所：${station.name}` : '新建基层所'}
      onCancel={onClose}
      onOk={submit}
      okText="保存"
      confirmLoading={busy}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form
        form={form}
        layout="vertical"
        initialValues={
          station
            ? { name: station.name, address: station.address, servedAreas: station.servedAreas }
            : { countyCode: defaultCounty }
        }
      >
        {!station && (
          <>
            <Form.Item
              name="countyCode"
              label="所属县（区）"
              rules={[{ required: true, message: '请选择所属县（区）' }]}
            >
              <JurisdictionPicker root={root} accept={['county', 'city']} placeholder="选择县（区）" />
            </Form.Item>
            <Form.Item
              name="suffix"
              label="所代码（3 位数字，本县内唯一）"
              rules={[{ required: true, message: '请填写所代码，如 007' }, zodRule(createStation.body.shape.suffix)]}
            >
              <Input maxLength={3} placeholder="如 007" />
            </Form.Item>
          </>
        )}
        <Form.Item
          name="name"
          label="名称"
          rules={[{ required: true, min: 2, max: 60, message: '请输入 2–60 个字的名称' }]}
        >
          <Input placeholder="如 新街口市场监管所" />
        </Form.Item>
        <Form.Item name="address" label="地址">
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="servedAreas" label="服务的乡镇（街道）">
          <Select mode="tags" placeholder="输入后回车，可填多个" tokenSeparators={[',', '，', '、']} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
