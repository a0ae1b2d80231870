/** Renders the results as a Markdown table (readable in a terminal, pastable into README.md). */
import type { LoadResult } from './lib/load.js';

export type Cell = { result: LoadResult } | { skip: string } | { error: string };

export interface Row {
  label: string;
  cells: Cell[];
}

const fmtRps = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const fmtMs = (n: number | undefined) =>
  n === undefined || Number.isNaN(n) ? '–' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);

function pad(cells: string[][], align: ('l' | 'r')[]): string[] {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r, ri) => {
    if (ri === 1) return `|${widths.map((w, i) => (align[i] === 'r' ? `${'-'.repeat(w + 1)}:` : `:${'-'.repeat(w + 1)}`)).join('|')}|`;
    return `| ${r.map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  });
}

const resultOf = (c: Cell | undefined): LoadResult | undefined => (c && 'result' in c && c.result.ok > 0 ? c.result : undefined);

/**
 * `targets` are the column groups; the first (Gatehouse) is compared with each of the others in
 * ratio columns: throughput, and server CPU time per request when it was measured.
 */
export function renderTable(targets: string[], rows: Row[]): { table: string; footnotes: string[] } {
  const footnotes: string[] = [];
  const note = (text: string) => {
    footnotes.push(text);
    return `[${footnotes.length}]`;
  };
  const withCpu = rows.some((r) => r.cells.some((c) => resultOf(c)?.cpuMsPerOk !== undefined));
  const header = ['Operation'];
  for (const t of targets) header.push(`${t} req/s`, 'p50 ms', 'p99 ms', ...(withCpu ? ['CPU ms/req'] : []));
  const others = targets.slice(1);
  // With one comparison the columns need no name; with several each says which server it divides by.
  const vs = (t: string) => (others.length > 1 ? ` vs ${t}` : '');
  for (const t of others) header.push(`req/s ratio${vs(t)}`, ...(withCpu ? [`CPU/req ratio${vs(t)}`] : []));
  const lines: string[][] = [header, header.map(() => '')];
  for (const row of rows) {
    const line = [row.label];
    row.cells.forEach((cell, i) => {
      if ('result' in cell) {
        const r = cell.result;
        const flag = r.errors > 0 ? ` ${note(`${targets[i]}, ${row.label}: ${r.errors} failed of ${r.errors + r.ok} (first: ${r.firstError ?? '?'})`)}` : '';
        line.push(`${fmtRps(r.rps)}${flag}`, fmtMs(r.p50Ms), fmtMs(r.p99Ms), ...(withCpu ? [fmtMs(r.cpuMsPerOk)] : []));
      } else {
        const text = 'skip' in cell ? cell.skip : cell.error;
        line.push(`n/a ${note(`${targets[i]}, ${row.label}: ${text}`)}`, '–', '–', ...(withCpu ? ['–'] : []));
      }
    });
    const a = resultOf(row.cells[0]);
    others.forEach((_, i) => {
      const b = resultOf(row.cells[i + 1]);
      line.push(a && b ? `${(a.rps / b.rps).toFixed(2)}×` : '–');
      if (withCpu) line.push(a?.cpuMsPerOk && b?.cpuMsPerOk ? `${(a.cpuMsPerOk / b.cpuMsPerOk).toFixed(2)}×` : '–');
    });
    lines.push(line);
  }
  const align: ('l' | 'r')[] = header.map((_, i) => (i === 0 ? 'l' : 'r'));
  return { table: pad(lines, align).join('\n'), footnotes };
}
