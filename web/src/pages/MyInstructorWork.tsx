import { useEffect, useState } from 'react';
import { Card, Col, List, Row, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import type { ResponseOf } from '@server/http/contract';
import { myInstructorWork } from '@server/features/instructors/contract';
import { call } from '../api';

type Mine = ResponseOf<typeof myInstructorWork>;

/** 我的指导工作: shown to an account bound to an instructor record (issue 13); nothing for other accounts. */
export function MyInstructorWork() {
  const [d, setD] = useState<Mine | null>(null);
  useEffect(() => void call(myInstructorWork).then(setD, () => setD(null)), []);
  if (!d?.instructor) return null;
  return (
    <Card size="small" title={`我的指导工作 · ${d.instructor.name}`} style={{ marginBottom: 16 }}>
      <Row gutter={[16, 16]}>
        <Col xs={24} md={8}>
          <Typography.Text strong>我的包联（{d.assignments.length}）</Typography.Text>
          <List
            size="small"
            dataSource={d.assignments}
            locale={{ emptyText: '暂无包联' }}
            renderItem={(a) => (
              <List.Item style={{ paddingInline: 0 }}>
                <Tag>{a.targetLabel}</Tag>
                {a.name ?? '—'}
                <Typography.Text type="secondary" style={{ marginLeft: 8 }}>
                  {a.startOn} 起
                </Typography.Text>
              </List.Item>
            )}
          />
        </Col>
        <Col xs={24} md={8}>
          <Typography.Text strong>我的市场主体（{d.entities.length}）</Typography.Text>
          <List
            size="small"
            dataSource={d.entities}
            locale={{ emptyText: '暂无' }}
            pagination={d.entities.length > 10 ? { pageSize: 10, size: 'small' } : false}
            renderItem={(e) => (
              <List.Item style={{ paddingInline: 0 }}>
                <Link to={`/entities/${e.id}`}>{e.name}</Link>
              </List.Item>
            )}
          />
        </Col>
        <Col xs={24} md={8}>
          <Typography.Text strong>最近指导记录</Typography.Text>
          <List
            size="small"
            dataSource={d.guidance}
            locale={{ emptyText: '暂无指导记录' }}
            renderItem={(g) => (
              <List.Item style={{ paddingInline: 0, display: 'block' }}>
                <Typography.Text type="secondary">
                  {g.onDate} {g.kindLabel} {g.target ?? ''}
                </Typography.Text>
                <div>{g.content}</div>
              </List.Item>
            )}
          />
        </Col>
      </Row>
    </Card>
  );
}
