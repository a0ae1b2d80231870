/**
 * deploy/systemd: the two units run the right command as the gatehouse user from its env file, restart
 * on failure and carry the hardening directives; systemd-analyze (when the machine has it) finds no
 * unknown or invalid directive.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { read, readEnvFile, ROOT } from './support.js';

/** A unit file → section → directive → values (a directive may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(current && eq > 0, `not a directive: ${line}`);
    const key = line.slice(0, eq).trim();
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return sections;
}

const HARDENING: Record<string, string> = {
  NoNewPrivileges: 'yes',
  ProtectSystem: 'strict',
  ProtectHome: 'yes',
  PrivateTmp: 'yes',
  PrivateDevices: 'yes',
  ProtectKernelTunables: 'yes',
  ProtectKernelModules: 'yes',
  ProtectControlGroups: 'yes',
  RestrictSUIDSGID: 'yes',
  LockPersonality: 'yes',
  CapabilityBoundingSet: '',
  AmbientCapabilities: '',
};

const UNITS = [
  { file: 'gatehouse.service', command: 'serve', env: '/etc/gatehouse/gatehouse.env', example: 'gatehouse.env.example', state: 'gatehouse' },
  { file: 'gatehouse-gateway.service', command: 'gateway', env: '/etc/gatehouse/gateway.env', example: 'gateway.env.example', state: 'gatehouse-gateway' },
];

describe('deploy/systemd', () => {
  for (const u of UNITS) {
    describe(u.file, () => {
      const unit = parseUnit(read(`deploy/systemd/${u.file}`));
      const service = unit.get('Service')!;
      const one = (k: string) => {
        const v = service.get(k);
        assert.ok(v, `${u.file}: ${k}= is missing`);
        return v.at(-1)!;
      };

      it('runs the command as the gatehouse user, from its env file, restarting on failure', () => {
        assert.equal(one('User'), 'gatehouse');
        assert.equal(one('Group'), 'gatehouse');
        assert.equal(one('EnvironmentFile'), u.env);
        assert.equal(one('ExecStart'), `/usr/bin/node /opt/gatehouse/bin/gatehouse.js ${u.command}`);
        assert.equal(one('WorkingDirectory'), '/opt/gatehouse');
        assert.equal(one('Restart'), 'on-failure');
        assert.equal(one('Type'), 'simple');
        assert.deepEqual(unit.get('Install')?.get('WantedBy'), ['multi-user.target']);
        assert.match(unit.get('Unit')?.get('After')?.join(' ') ?? '', /network-online\.target/);
      });

      it('is hardened: read-only system, no home, private /tmp, no privileges, one writable state directory', () => {
        for (const [k, v] of Object.entries(HARDENING)) assert.equal(one(k), v, `${k}=${v}`);
        assert.equal(one('StateDirectory'), u.state);
        assert.equal(one('ReadWritePaths'), `/var/lib/${u.state}`);
        assert.equal(one('UMask'), '0077');
        assert.ok(!service.has('MemoryDenyWriteExecute'), 'V8 needs W+X memory');
      });

      it(`its env file example keeps writable data in /var/lib/${u.state}`, () => {
        const env = readEnvFile(`deploy/systemd/${u.example}`);
        const paths = [...env.values()].flatMap((v) => v.match(/(?<=sqlite:)\/\S+/g) ?? []);
        assert.ok(paths.length > 0);
        for (const p of paths) assert.ok(p.startsWith(`/var/lib/${u.state}/`), `${p} is writable under ProtectSystem=strict`);
      });
    });
  }

  it('the gateway cannot see Gatehouse\'s data, and starts after it', () => {
    const gw = parseUnit(read('deploy/systemd/gatehouse-gateway.service'));
    assert.deepEqual(gw.get('Service')?.get('InaccessiblePaths'), ['-/var/lib/gatehouse']);
    assert.match(gw.get('Unit')?.get('After')?.join(' ') ?? '', /gatehouse\.service/);
  });

  it('systemd-analyze verify finds no unknown or invalid directive', (t) => {
    const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    if (probe.error) {
      t.skip('systemd-analyze is not installed (the directives are still checked above)');
      return;
    }
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', ...UNITS.map((u) => join(ROOT, 'deploy/systemd', u.file))], { encoding: 'utf8' });
    const complaints = `${r.stdout}\n${r.stderr}`.split('\n')
      .filter((l) => /Unknown (key|section)|Invalid|Failed to parse|bad-setting|Unknown lvalue/i.test(l));
    assert.deepEqual(complaints, []);
  });
});
