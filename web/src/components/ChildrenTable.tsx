import type { TableColumnType } from 'antd';
import { FiguresTable } from './ListOrCards';

/**
 * A node's children with their figures, one row each, the name first; clicking a row drills into
 * that child (the figure cards of instructors, assistance, new employment and appeals share it).
 * On a phone each child is a card with its figures beneath its name.
 */
export function ChildrenTable<T extends { code: string; name: string }>({
  rows,
  columns,
  onDrill,
  nameTitle = '辖区',
  nameWidth,
  scrollX,
}: {
  rows: T[];
  columns: TableColumnType<T>[];
  onDrill: (code: string) => void;
  nameTitle?: string;
  nameWidth?: number;
  scrollX?: number;
}) {
  return (
    <FiguresTable<T>
      rowKey="code"
      size="small"
      pagination={false}
      dataSource={rows}
      style={{ marginTop: 12 }}
      scroll={scrollX ? { x: scrollX } : undefined}
      onOpen={(c) => onDrill(c.code)}
      locale={{ emptyText: '没有下级辖区' }}
      columns={[{ title: nameTitle, dataIndex: 'name', width: nameWidth }, ...columns]}
    />
  );
}
