import { useCallback, useEffect, useState } from 'react';
import { Button, Card, Col, List, Row, Space, Tag, Typography } from 'antd';
import { EditOutlined, PaperClipOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import type { ResponseOf } from '@server/http/contract';
import { myInstructorWork } from '@server/features/instructors/contract';
import { call } from '../api';
import { useAuth } from '../auth';
import { GuidanceForm } from './GuidanceForm';

export type Mine = ResponseOf<typeof myInstructorWork>;

/** The signed-in instructor's own work (issue 13), for an account of the instructor role; null for the others. */
export function useMyInstructorWork(): [Mine | null, () => void] {
  const { me } = useAuth();
  const instructor = me?.roles.some((r) => r.code === 'instructor') ?? false;
  const [d, setD] = useState<Mine | null>(null);
  const load = useCallback(() => {
    if (instructor) void call(myInstructorWork).then(setD, () => setD(null));
  }, [instructor]);
  useEffect(load, [load]);
  return [d, load];
}

/**
 * 我的指导工作: what an account bound to an instructor record does on its rounds — its entities,
 * each with 记走访 at hand, and its latest records; nothing for other accounts.
 */
export function MyInstructorWork({ mine, onLogged }: { mine: Mine | null; onLogged: () => void }) {
  // The entity the form was opened for (null: the form's own picker), undefined when closed.
  const [logging, setLogging] = useState<{ id: number; name: string } | null | undefined>(undefined);
  if (!mine?.instructor) return null;
  const me = mine.instructor;
  // Entities assigned are listed above with 记走访; the other assignments (an organization, a building …) here.
  const others = mine.assignments.filter((a) => a.target !== 'entity');
  return (
    <Card
      size="small"
      title={`我的指导工作 · ${me.name}`}
      style={{ marginBottom: 16 }}
      extra={
        <Button type="primary" icon={<EditOutlined />} onClick={() => setLogging(null)}>
          登记走访
        </Button>
      }
    >
      <Row gutter={[16, 16]}>
        <Col xs={24} md={8}>
          <Typography.Text strong>我的市场主体（{mine.entities.length}）</Typography.Text>
          <List
            size="small"
            dataSource={mine.entities}
            locale={{ emptyText: '还没有指派给您的市场主体，请与所在基层所联系。' }}
            pagination={mine.entities.length > 10 ? { pageSize: 10, size: 'small', simple: true } : false}
            renderItem={(e) => (
              <List.Item
                style={{ paddingInline: 0 }}
                actions={[
                  <a key="log" onClick={() => setLogging({ id: e.id, name: e.name })}>
                    记走访
                  </a>,
                ]}
              >
                <Link to={`/entities/${e.id}`} style={{ overflowWrap: 'anywhere' }}>
                  {e.name}
                </Link>
              </List.Item>
            )}
          />
        </Col>
        <Col xs={24} md={8}>
          <Typography.Text strong>最近指导记录</Typography.Text>
          <List
            size="small"
            dataSource={mine.guidance}
            locale={{ emptyText: '还没有指导记录。每次走访后点击"登记走访"记下做了什么。' }}
            pagination={mine.guidance.length > 5 ? { pageSize: 5, size: 'small', simple: true } : false}
            renderItem={(g) => (
              <List.Item style={{ paddingInline: 0, display: 'block' }}>
                <Typography.Text type="secondary">
                  {g.onDate} {g.kindLabel} {g.target ?? ''}
                </Typography.Text>
                <div style={{ overflowWrap: 'anywhere' }}>{g.content}</div>
                {g.files > 0 && (
                  <Typography.Text type="secondary">
                    <PaperClipOutlined /> 照片 {g.files} 张
                  </Typography.Text>
                )}
              </List.Item>
            )}
          />
        </Col>
        {others.length > 0 && (
          <Col xs={24} md={8}>
            <Typography.Text strong>包联的党组织、楼宇等（{others.length}）</Typography.Text>
            <List
              size="small"
              dataSource={others}
              renderItem={(a) => (
                <List.Item style={{ paddingInline: 0 }}>
                  <Space size={4} wrap>
                    <Tag>{a.targetLabel}</Tag>
                    {a.name ?? '—'}
                    <Typography.Text type="secondary">{a.startOn} 起</Typography.Text>
                  </Space>
                </List.Item>
              )}
            />
          </Col>
        )}
      </Row>
      {logging !== undefined && (
        <GuidanceForm
          instructor={me}
          entity={logging ?? undefined}
          onClose={() => setLogging(undefined)}
          onSaved={() => {
            setLogging(undefined);
            onLogged();
          }}
        />
      )}
    </Card>
  );
}
