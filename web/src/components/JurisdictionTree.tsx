import { useEffect, useState } from 'react';
import { Tree, Spin, Alert } from 'antd';
import type { TreeDataNode } from 'antd';
import { call } from '../api';
import { getJurisdiction, jurisdictionChildren } from '@server/features/jurisdictions/contract';
import { applyProblem } from './problem';

export type { JurisdictionNode as JNode } from '@server/features/jurisdictions/contract';
import type { JurisdictionNode as JNode } from '@server/features/jurisdictions/contract';

const toTree = (n: JNode): TreeDataNode => ({ key: n.code, title: n.name, isLeaf: n.childCount === 0 });

function insertChildren(list: TreeDataNode[], key: React.Key, children: TreeDataNode[]): TreeDataNode[] {
  return list.map((n) =>
    n.key === key ? { ...n, children } : n.children ? { ...n, children: insertChildren(n.children, key, children) } : n,
  );
}

/** The user's subtree, loaded one level at a time (the national tree is never loaded whole). */
export function JurisdictionTree({
  root,
  selected,
  onSelect,
  reloadKey,
}: {
  root: string;
  selected?: string;
  onSelect: (code: string, node?: JNode) => void;
  reloadKey?: number;
}) {
  const [tree, setTree] = useState<TreeDataNode[] | null>(null);
  const [nodes] = useState(() => new Map<string, JNode>());
  const [error, setError] = useState<string | null>(null);
  const [expanded, setExpanded] = useState<React.Key[]>([root]);

  useEffect(() => {
    void (async () => {
      try {
        const [self, children] = await Promise.all([
          call(getJurisdiction, { params: { code: root } }),
          call(jurisdictionChildren, { params: { code: root } }),
        ]);
        [self, ...children].forEach((n) => nodes.set(n.code, n));
        setTree([{ ...toTree(self), children: children.map(toTree) }]);
      } catch (e) {
        setError(applyProblem(null, e));
      }
    })();
  }, [root, nodes, reloadKey]);

  const loadData = async (node: TreeDataNode) => {
    if (node.children) return;
    const children = await call(jurisdictionChildren, { params: { code: String(node.key) } });
    children.forEach((n) => nodes.set(n.code, n));
    setTree((t) => (t ? insertChildren(t, node.key, children.map(toTree)) : t));
  };

  if (error) return <Alert type="error" title={error} />;
  if (!tree) return <Spin />;
  return (
    <Tree
      treeData={tree}
      loadData={loadData}
      expandedKeys={expanded}
      onExpand={setExpanded}
      selectedKeys={selected ? [selected] : []}
      onSelect={(keys) => keys[0] && onSelect(String(keys[0]), nodes.get(String(keys[0])))}
      style={{ maxHeight: 'calc(100vh - 220px)', overflow: 'auto' }}
    />
  );
}
