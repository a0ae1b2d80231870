/**
 * Natural keys: how a file entry and an org object are recognised as the same resource. Logins and
 * authorization server names compare case-insensitively (the org refuses two that differ by case).
 */
export const groupKey = (g: { profile: { name: string } }): string => g.profile.name;
export const userKey = (login: string): string => login.toLowerCase();
export const appKey = (a: { label: string }): string => a.label;
export const serverKey = (name: string): string => name.toLowerCase();
export const scopeKey = (s: { name: string }): string => s.name;
/** A server may have an ID-token and an access-token claim of the same name. */
export const claimKey = (c: { name: string; claimType: string }): string => `${c.name} (${c.claimType})`;
export const policyKey = (p: { name: string }): string => p.name;
export const ruleKey = (r: { name: string }): string => r.name;
export const originKey = (origin: string): string => origin.trim().toLowerCase();
