/** The plan as text: one line per change, then a count. */
import { formatDiff } from './diff.js';
import type { Change, Plan } from './plan.js';

const SIGN = { create: '+', update: '~', unchanged: '=' } as const;

export function formatChange(c: Change): string {
  const head = `${SIGN[c.action]} ${c.action} ${c.target}`;
  return c.action === 'update' ? `${head}: ${c.diffs.map(formatDiff).join('; ')}` : head;
}

export function countChanges(plan: Plan): { create: number; update: number; unchanged: number } {
  const n = { create: 0, update: 0, unchanged: 0 };
  for (const c of plan.changes) n[c.action]++;
  return n;
}

export function hasChanges(plan: Plan): boolean {
  return plan.changes.some((c) => c.action !== 'unchanged');
}

export function formatPlan(plan: Plan): string[] {
  const n = countChanges(plan);
  return [...plan.changes.map(formatChange), `Plan: ${n.create} to create, ${n.update} to update, ${n.unchanged} unchanged.`];
}
