import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript6';
import { describe, expect, it } from 'vitest';
import { ROOT, readGraph } from './imports.js';
import { ACTION_LABELS, OBJECT_LABELS } from '../../src/features/audit/actions.js';
import { DETAIL_LABELS } from '../../src/features/audit/detail.js';
import { ACTION_LABEL as CASE_ACTION_LABEL } from '../../src/domain/cases/workflow.js';
import { HONOUR_ACTION_LABEL } from '../../src/domain/recognition/honours.js';
import { DECISION_LABEL } from '../../src/domain/recognition/recommendations.js';

/**
 * The audit trail speaks Chinese: every action and kind of object the code writes into it has a
 * name in src/features/audit/actions.ts (the auditor's list showed session.evicted, instructor and
 * 30-odd others raw). Actions built from a variable are expanded from the codes they take.
 */
const files = readGraph().files.filter((f) => f.startsWith('src/') && !/\.test\.tsx?$/.test(f));
const text = files.map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8')).join('\n');
const literals = (re: RegExp) => [...new Set([...text.matchAll(re)].map((m) => m[1]))].sort();

// The effects the database records (migration 0034's CHECK on exit_effect.effect).
const EXIT_EFFECTS = [
  'review_open',
  'review_reopen',
  'plaque_suspend',
  'honour_flag',
  'point_flag',
  'review_lift_pending',
  'review_close',
  'plaque_resume',
  'point_unflag',
];
const TEMPLATES: Record<string, string[]> = {
  'appeal.${b.action}': ['accept', 'note', 'resolve', 'route', 'close'],
  'case.${b.action}': Object.keys(CASE_ACTION_LABEL),
  'exit.${r.effect}': EXIT_EFFECTS,
  'honour.${b.action}': Object.keys(HONOUR_ACTION_LABEL),
  'point_recommendation.${req.body.decision}': Object.keys(DECISION_LABEL),
};

describe('audit trail labels', () => {
  it('names every action written as a literal', () => {
    const actions = literals(/\baction:\s*'([a-z_]+\.[a-z_.]+)'/g);
    expect(actions.length).toBeGreaterThan(150);
    expect(actions.filter((a) => !ACTION_LABELS[a])).toEqual([]);
  });

  it('names every action built from a code, and knows every such template', () => {
    const templates = literals(/\baction:\s*`([^`]+)`/g);
    expect(templates.filter((t) => !TEMPLATES[t])).toEqual([]);
    const expanded = Object.entries(TEMPLATES).flatMap(([t, codes]) => codes.map((c) => t.replace(/\$\{[^}]+\}/, c)));
    expect(expanded.filter((a) => !ACTION_LABELS[a])).toEqual([]);
  });

  it('names every kind of object', () => {
    const objects = literals(/\bobject(?:Type|_type):\s*'([a-z_]+)'/g);
    expect(objects.length).toBeGreaterThan(40);
    expect(objects.filter((o) => !OBJECT_LABELS[o])).toEqual([]);
  });

  it('names every key written into a detail, so the auditor reads words, not JSON keys (round 7)', () => {
    const keys = new Set<string>();
    /** The named keys of an object literal and of the object literals inside it (spreads of literals too). */
    const collect = (n: ts.Node): void => {
      if (ts.isObjectLiteralExpression(n))
        for (const p of n.properties) {
          if ((ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && !ts.isComputedPropertyName(p.name))
            keys.add(p.name.text);
        }
      if (!ts.isArrowFunction(n) && !ts.isFunctionExpression(n)) ts.forEachChild(n, collect);
    };
    for (const f of files.filter((x) => x.endsWith('.ts'))) {
      const source = ts.createSourceFile(f, fs.readFileSync(path.join(ROOT, f), 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (n: ts.Node): void => {
        // An audit record: an object literal with an action and a detail.
        if (ts.isObjectLiteralExpression(n) && n.properties.some((p) => p.name?.getText() === 'action')) {
          const d = n.properties.find((p) => p.name?.getText() === 'detail');
          if (d && ts.isPropertyAssignment(d)) collect(d.initializer);
        }
        ts.forEachChild(n, visit);
      };
      visit(source);
    }
    expect(keys.size).toBeGreaterThan(150);
    expect([...keys].filter((k) => !DETAIL_LABELS[k]).sort()).toEqual([]);
  });
});
