/**
 * A finding: one thing wrong (or worth knowing) about a gateway's OIDC setup, written for the person
 * who has to fix it. The gateway refuses to start on any `error`; `gatehouse doctor` prints them all.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  severity: Severity;
  /** Stable identifier, e.g. "issuer-mismatch", for tests and tooling. */
  code: string;
  /** What is wrong, naming the variable and its value. */
  problem: string;
  /** Why it breaks (or weakens) sign-in. */
  why: string;
  /** The exact change that fixes it. */
  fix: string;
}

export const finding = (severity: Severity, code: string, problem: string, why: string, fix: string): Finding => ({
  severity,
  code,
  problem,
  why,
  fix,
});

export const hasErrors = (findings: readonly Finding[]): boolean => findings.some((f) => f.severity === 'error');

/** One line per finding: `error [code] problem — why. Fix: fix` */
export function formatFinding(f: Finding): string {
  const end = (s: string) => (/[.!?]$/.test(s) ? s : `${s}.`);
  return `${f.severity} [${f.code}] ${f.problem} — ${end(f.why)} Fix: ${end(f.fix)}`;
}
