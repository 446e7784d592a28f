import { useEffect, useState } from 'react';
import { App, Button, Card, Form, Input, Space, Tabs, Typography } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { listDictionaries, type DictionaryEntry as Entry } from '@server/features/dictionaries/contract';
import { call, put } from '../api';
import { applyProblem } from './problem';
import { EDITABLE_LISTS, type EditableList } from '@domain/recognition/lists';

/** The configurable lists of honours and points (荣誉类型, 条件清单), on the deployment settings page. */
export function CodeLists({ editable }: { editable: boolean }) {
  const [data, setData] = useState<Record<string, Entry[]> | null>(null);
  useEffect(() => void call(listDictionaries).then(setData, () => setData({})), []);
  if (!data) return null;
  return (
    <Card title="代码清单：荣誉类型、联系点/示范点条件、走访问题业务条线（系统管理员）" style={{ marginBottom: 16 }}>
      <Typography.Paragraph type="secondary">
        代码用于存储，已被记录使用的代码不能删除，可修改名称。
      </Typography.Paragraph>
      <Tabs
        items={(Object.keys(EDITABLE_LISTS) as EditableList[]).map((kind) => ({
          key: kind,
          label: EDITABLE_LISTS[kind],
          children: <ListForm kind={kind} entries={data[kind] ?? []} editable={editable} />,
        }))}
      />
    </Card>
  );
}

function ListForm({ kind, entries, editable }: { kind: EditableList; entries: Entry[]; editable: boolean }) {
  const [form] = Form.useForm();
  const { message } = App.useApp();
  const save = async () => {
    try {
      await put(`/code-lists/${kind}`, form.getFieldsValue());
      message.success('已保存，并已记入审计日志');
    } catch (e) {
      message.error(applyProblem(null, e));
    }
  };
  return (
    <Form form={form} initialValues={{ entries }} disabled={!editable}>
      <Form.List name="entries">
        {(fields, { add, remove }) => (
          <>
            {fields.map((f) => (
              <Space key={f.key} align="baseline" wrap>
                <Form.Item
                  name={[f.name, 'code']}
                  rules={[{ required: true, pattern: /^[a-z_]{1,40}$/, message: '小写字母和下划线' }]}
                >
                  <Input placeholder="代码" style={{ width: 160 }} />
                </Form.Item>
                <Form.Item name={[f.name, 'label']} rules={[{ required: true, min: 2, message: '至少 2 个字' }]}>
                  <Input placeholder="名称" style={{ width: 260 }} />
                </Form.Item>
                {editable && <MinusCircleOutlined onClick={() => remove(f.name)} aria-label="删除" />}
              </Space>
            ))}
            {editable && (
              <Space>
                <Button icon={<PlusOutlined />} onClick={() => add({ code: '', label: '' })}>
                  增加一项
                </Button>
                <Button type="primary" onClick={save}>
                  保存
                </Button>
              </Space>
            )}
          </>
        )}
      </Form.List>
    </Form>
  );
}
