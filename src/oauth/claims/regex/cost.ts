/**
 * The worst case of a backtracking matcher on a checked pattern (no nested repeats), as a function of
 * the input length. Safe-regex charges it against a budget before running V8 on that input.
 */
import type { PatternNode } from './pattern.js';

/**
 * An upper bound on a backtracking matcher's work, as the size of its search tree: `paths` is how many
 * ways a node can end (each a continuation to try), `work` the steps to enumerate them. A sequence
 * runs each item once per path through the items before it; alternatives add; a repeat of an
 * unambiguous body walks forward once (at most n+1 iterations) and can then end at any count.
 */
interface Cost {
  work: number;
  paths: number;
  /** Shortest match, to bound how often a repeat can iterate. */
  minLength: number;
}

function cost(node: PatternNode, n: number): Cost {
  switch (node.kind) {
    case 'atom':
      return { work: 1, paths: 1, minLength: node.width };
    case 'seq': {
      const total = { work: 0, paths: 1, minLength: 0 };
      for (const item of node.items) {
        const c = cost(item, n);
        total.work += total.paths * c.work;
        total.paths *= c.paths;
        total.minLength += c.minLength;
      }
      return total;
    }
    case 'alt':
      return node.branches
        .map((b) => cost(b, n))
        .reduce((a, b) => ({ work: a.work + b.work, paths: a.paths + b.paths, minLength: Math.min(a.minLength, b.minLength) }));
    case 'quant': {
      const body = cost(node.body, n);
      const minLength = node.min * body.minLength;
      if (node.max <= 1) return node.min === node.max ? body : { work: body.work + 1, paths: body.paths + 1, minLength };
      const fits = Math.min(node.max, body.minLength > 0 ? Math.floor(n / body.minLength) : n);
      return { work: (fits + 1) * body.work + 1, paths: Math.max(1, fits - node.min + 1), minLength };
    }
  }
}

/** Upper bound on the steps of one match attempt (one start position) on an input of length n. */
export function worstCaseSteps(tree: PatternNode, n: number): number {
  const c = cost(tree, n);
  return c.work + c.paths; // and a final check per path
}
