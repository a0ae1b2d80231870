/**
 * The Kustomize base and overlays, rendered with the machine's `kubectl kustomize` (Debian's
 * kubernetes-client works: the files use only what kustomize v2 reads) and checked on the result:
 * replicas and the database each may use, probes, security context, Secret references with no
 * secret value anywhere, resources, PodDisruptionBudgets, selectors, images, Ingress/TLS, and env
 * var names exactly those Gatehouse and the gateway read.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  effective, find, gatehouseVariablesMentioned, gatehouseVariablesRead, gatewayVariablesMentioned, gatewayVariablesRead, kustomize,
  parseYamlFile, readEnvFile, type K8sObject,
} from './support.js';

const SECRET_NAMES = /SECRET|TOKEN|PASSWORD|DATABASE_URL|SESSION_STORE/;
const complete = effective(readEnvFile('deploy/docker/gateway.env.example'));
const GATEWAY_VARS = new Set([...gatewayVariablesRead(Object.fromEntries(Object.entries(complete).map(([k, v]) => [k, v.replace(/\{\w+\}/g, 'x')]))),
  ...gatewayVariablesMentioned()]);
const GATEHOUSE_VARS = new Set([...gatehouseVariablesRead(), ...gatehouseVariablesMentioned()]);

interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: any }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  [k: string]: any;
}

const deployments = (objs: K8sObject[]) => objs.filter((o) => o.kind === 'Deployment');
const containersOf = (d: K8sObject): Container[] => d.spec.template.spec.containers;
const isGateway = (c: Container) => (c.args ?? []).includes('gateway');
const isGatehouse = (c: Container) => (c.args ?? []).includes('serve');

/** The environment a container gets: its ConfigMaps' data (by envFrom), then env. */
function environment(objs: K8sObject[], c: Container): Map<string, { value?: string; secret?: { name: string; key: string; optional?: boolean } }> {
  const out = new Map<string, { value?: string; secret?: { name: string; key: string; optional?: boolean } }>();
  for (const from of c.envFrom ?? []) {
    assert.ok(!from.secretRef, `${c.name}: envFrom secretRef would hide which variables come from a Secret`);
    const cm = find(objs, 'ConfigMap', from.configMapRef!.name);
    for (const [k, v] of Object.entries(cm.data ?? {})) out.set(k, { value: String(v) });
  }
  for (const e of c.env ?? []) out.set(e.name, e.valueFrom?.secretKeyRef ? { secret: e.valueFrom.secretKeyRef } : { value: e.value });
  return out;
}

function portNumber(c: Container, port: string | number): number {
  if (typeof port === 'number') return port;
  const p = (c.ports ?? []).find((x) => x.name === port);
  assert.ok(p, `${c.name}: no container port named ${port}`);
  return p.containerPort;
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Checks every rendering must pass, whatever the overlay. */
function commonChecks(name: string, objs: K8sObject[]): void {
  describe(`${name}: every rendering`, () => {
    it('holds no Secret object and no secret value', () => {
      assert.deepEqual(objs.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name), [], 'Secrets are referenced, never committed');
      for (const d of deployments(objs)) {
        for (const c of containersOf(d)) {
          for (const [k, v] of environment(objs, c)) {
            if (v.value === undefined) continue;
            assert.doesNotMatch(v.value, /:\/\/[^/@\s]*:[^/@\s]+@/, `${d.metadata.name}/${c.name}: ${k} has a URL with a password`);
            if (SECRET_NAMES.test(k)) {
              assert.match(v.value, /^sqlite:/, `${d.metadata.name}/${c.name}: ${k} must come from a Secret (secretKeyRef)`);
            }
          }
        }
      }
    });

    it('every Deployment is non-root, read-only, without privileges, with resources', () => {
      assert.ok(deployments(objs).length > 0);
      for (const d of deployments(objs)) {
        const pod = d.spec.template.spec;
        assert.equal(pod.securityContext?.runAsNonRoot, true, `${d.metadata.name}: runAsNonRoot`);
        assert.ok(pod.securityContext?.runAsUser > 0, `${d.metadata.name}: a non-root runAsUser`);
        assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault');
        assert.equal(pod.automountServiceAccountToken, false, `${d.metadata.name}: no API token mounted`);
        for (const c of containersOf(d)) {
          const sc = c.securityContext ?? {};
          const where = `${d.metadata.name}/${c.name}`;
          assert.equal(sc.runAsNonRoot, true, `${where}: runAsNonRoot`);
          assert.equal(sc.allowPrivilegeEscalation, false, `${where}: allowPrivilegeEscalation false`);
          assert.equal(sc.readOnlyRootFilesystem, true, `${where}: readOnlyRootFilesystem`);
          assert.deepEqual(sc.capabilities?.drop, ['ALL'], `${where}: drop ALL capabilities`);
          assert.ok(!sc.capabilities?.add?.length, `${where}: no capability added`);
          assert.notEqual(sc.privileged, true);
          assert.equal(sc.seccompProfile?.type, 'RuntimeDefault');
          assert.ok(c.resources?.requests?.cpu && c.resources?.requests?.memory, `${where}: cpu and memory requests`);
          assert.ok(c.resources?.limits?.memory, `${where}: a memory limit`);
          const mounts = new Set((c.volumeMounts ?? []).map((m: any) => m.mountPath));
          assert.ok(mounts.has('/tmp'), `${where}: a writable /tmp on the read-only root`);
        }
      }
    });

    it('Gatehouse containers: probes on /healthz and /readyz, secrets by reference, only GATEHOUSE_* variables it reads', () => {
      const all = deployments(objs).flatMap((d) => containersOf(d).filter(isGatehouse).map((c) => [d, c] as const));
      assert.ok(all.length > 0, 'a Gatehouse container');
      for (const [d, c] of all) {
        const where = `${d.metadata.name}/${c.name}`;
        assert.match(c.image, /(^|\/)gatehouse:[\w.-]+$/, `${where}: the gatehouse image, with a tag`);
        const env = environment(objs, c);
        const unknown = [...env.keys()].filter((k) => !GATEHOUSE_VARS.has(k));
        assert.deepEqual(unknown, [], `${where}: variables Gatehouse does not read (src/config/config.ts)`);
        const port = Number(env.get('GATEHOUSE_PORT')?.value);
        assert.equal(port, 8080);
        assert.equal(env.get('GATEHOUSE_HOST')?.value, '0.0.0.0', `${where}: reachable by the Service and the kubelet`);
        assert.ok(env.get('GATEHOUSE_ORG_URL')?.value, `${where}: GATEHOUSE_ORG_URL`);
        assert.equal(c.livenessProbe?.httpGet?.path, '/healthz');
        assert.equal(c.readinessProbe?.httpGet?.path, '/readyz');
        assert.equal(portNumber(c, c.livenessProbe.httpGet.port), port);
        assert.equal(portNumber(c, c.readinessProbe.httpGet.port), port);
        for (const k of ['GATEHOUSE_SECRET_KEY', 'GATEHOUSE_API_TOKEN']) {
          assert.deepEqual(Object.keys(env.get(k)?.secret ?? {}).sort(), ['key', 'name'], `${where}: ${k} from a Secret`);
        }
        const db = env.get('GATEHOUSE_DATABASE_URL');
        assert.ok(db?.secret || db?.value?.startsWith('sqlite:'), `${where}: GATEHOUSE_DATABASE_URL from a Secret`);
        if (db?.secret) assert.equal(db.secret.name, 'gatehouse');
        const dataDir = env.get('GATEHOUSE_DATA_DIR')?.value;
        assert.ok(dataDir && (c.volumeMounts ?? []).some((m: any) => m.mountPath === dataDir), `${where}: GATEHOUSE_DATA_DIR is a volume`);
      }
    });

    it('SQLite only with one replica, replaced not rolled, on a persistent volume; PostgreSQL otherwise', () => {
      for (const d of deployments(objs)) {
        for (const c of containersOf(d).filter(isGatehouse)) {
          const db = environment(objs, c).get('GATEHOUSE_DATABASE_URL')!;
          if (db.value?.startsWith('sqlite:')) {
            assert.equal(d.spec.replicas, 1, `${d.metadata.name}: SQLite is one file with one writer`);
            assert.equal(d.spec.strategy?.type, 'Recreate', `${d.metadata.name}: no surge pod on the same file`);
            const file = db.value.slice('sqlite:'.length);
            const mount = (c.volumeMounts ?? []).find((m: any) => file.startsWith(`${m.mountPath}/`));
            const volume = d.spec.template.spec.volumes.find((v: any) => v.name === mount?.name);
            assert.ok(volume?.persistentVolumeClaim, `${d.metadata.name}: the SQLite file is on a PersistentVolumeClaim`);
            assert.ok(!volume.emptyDir, 'not also an emptyDir');
            find(objs, 'PersistentVolumeClaim', volume.persistentVolumeClaim.claimName);
          } else {
            assert.ok(db.secret, `${d.metadata.name}: PostgreSQL URL from the Secret`);
          }
        }
      }
    });

    it('gateway containers: probes, the client secret and session store by reference, only variables the gateway reads', () => {
      const all = deployments(objs).flatMap((d) => containersOf(d).filter(isGateway).map((c) => [d, c] as const));
      assert.ok(all.length > 0, 'a gateway container');
      for (const [d, c] of all) {
        const where = `${d.metadata.name}/${c.name}`;
        assert.match(c.image, /(^|\/)gatehouse-gateway:[\w.-]+$/, `${where}: the gatehouse-gateway image, with a tag`);
        const env = environment(objs, c);
        const unknown = [...env.keys()].filter((k) => !GATEWAY_VARS.has(k));
        assert.deepEqual(unknown, [], `${where}: variables the gateway does not read (src/gateway/config.ts)`);
        const port = Number(env.get('GATEWAY_PORT')?.value);
        assert.equal(port, 8585);
        assert.equal(env.get('GATEWAY_HOST')?.value, '0.0.0.0');
        assert.equal(c.livenessProbe?.httpGet?.path, '/healthz');
        assert.equal(c.readinessProbe?.httpGet?.path, '/readyz');
        assert.equal(portNumber(c, c.livenessProbe.httpGet.port), port);
        assert.equal(portNumber(c, c.readinessProbe.httpGet.port), port);
        assert.deepEqual(env.get('OIDC_CLIENT_SECRET')?.secret, { name: 'gatehouse-gateway', key: 'client-secret' });
        const store = env.get('GATEWAY_SESSION_STORE');
        assert.ok(store, `${where}: GATEWAY_SESSION_STORE`);
        if (d.spec.replicas > 1) {
          assert.deepEqual(store.secret, { name: 'gatehouse-gateway', key: 'session-store' },
            `${where}: ${d.spec.replicas} replicas share a PostgreSQL or Redis store, named in the Secret`);
        }
        // The issuer is under Gatehouse's org URL, which the gateway must reach at the same address.
        const authority = env.get('AUTHENTICATION_AUTHORITY')?.value ?? '';
        const orgs = deployments(objs).flatMap((x) => containersOf(x).filter(isGatehouse)).map((g) => environment(objs, g).get('GATEHOUSE_ORG_URL')?.value);
        assert.ok(orgs.some((o) => o && authority.startsWith(`${o}/oauth2/`)), `${where}: AUTHENTICATION_AUTHORITY ${authority} is on the org URL ${orgs}`);
        assert.equal(env.get('OIDC_CALLBACK')?.value, `${env.get('OIDC_SERVER_URL')?.value}/callback`);
        assert.match(env.get('OIDC_SCOPE')?.value ?? '', /\boffline_access\b/);
      }
    });

    it('selectors match their pods; Services and PDBs select Deployments; PDBs allow a drain', () => {
      for (const d of deployments(objs)) {
        assert.ok(matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels), `${d.metadata.name}: selector matches its template`);
      }
      for (const s of objs.filter((o) => o.kind === 'Service')) {
        const targets = deployments(objs).filter((d) => matches(s.spec.selector, d.spec.template.metadata.labels));
        assert.equal(targets.length, 1, `Service ${s.metadata.name} selects one Deployment`);
        for (const p of s.spec.ports) {
          assert.ok(containersOf(targets[0]!).some((c) => (c.ports ?? []).some((cp) => cp.name === p.targetPort || cp.containerPort === p.targetPort)),
            `Service ${s.metadata.name}: targetPort ${p.targetPort} exists`);
        }
      }
      for (const pdb of objs.filter((o) => o.kind === 'PodDisruptionBudget')) {
        const targets = deployments(objs).filter((d) => matches(pdb.spec.selector.matchLabels, d.spec.template.metadata.labels));
        assert.equal(targets.length, 1, `PDB ${pdb.metadata.name} selects one Deployment`);
        const replicas = targets[0]!.spec.replicas;
        assert.equal(typeof pdb.spec.minAvailable, 'number');
        assert.ok(pdb.spec.minAvailable < replicas || (replicas === 1 && pdb.spec.minAvailable === 0),
          `PDB ${pdb.metadata.name}: minAvailable ${pdb.spec.minAvailable} of ${replicas} replicas leaves room for a drain`);
        if (replicas > 1) assert.ok(pdb.spec.minAvailable >= 1, `PDB ${pdb.metadata.name}: keeps at least one pod`);
      }
      for (const hpa of objs.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
        const d = find(objs, 'Deployment', hpa.spec.scaleTargetRef.name);
        assert.ok(hpa.spec.minReplicas >= d.spec.replicas, `HPA ${hpa.metadata.name}: does not scale below the Deployment's replicas`);
        assert.ok(hpa.spec.maxReplicas > hpa.spec.minReplicas);
      }
    });

    it('the Ingress routes its hosts to existing Services and ports', () => {
      for (const ing of objs.filter((o) => o.kind === 'Ingress')) {
        for (const rule of ing.spec.rules) {
          for (const path of rule.http.paths) {
            const svc = find(objs, 'Service', path.backend.service.name);
            assert.ok(svc.spec.ports.some((p: any) => p.name === path.backend.service.port.name || p.port === path.backend.service.port.number),
              `Ingress ${rule.host}: port of Service ${svc.metadata.name}`);
          }
        }
      }
    });
  });
}

/** The ConfigMap data of the container running `arg` (serve or gateway). */
function configOf(objs: K8sObject[], arg: 'serve' | 'gateway'): Map<string, string | undefined> {
  const c = deployments(objs).flatMap(containersOf).find((x) => (x.args ?? []).includes(arg));
  assert.ok(c);
  return new Map([...environment(objs, c)].map(([k, v]) => [k, v.value]));
}

describe('kubernetes', () => {
  let rendered: K8sObject[][];
  try {
    rendered = ['base', 'overlays/dev', 'overlays/production'].map((d) => kustomize(`deploy/kubernetes/${d}`));
  } catch (err) {
    // A missing kubectl (or a broken overlay) is a failed test with the reason, never a skip.
    it('renders the base and every overlay with kubectl kustomize', () => {
      throw err;
    });
    return;
  }
  const [base, dev, production] = rendered as [K8sObject[], K8sObject[], K8sObject[]];

  commonChecks('base', base);
  commonChecks('overlays/dev', dev);
  commonChecks('overlays/production', production);

  describe('base', () => {
    it('runs three Gatehouse replicas on PostgreSQL and two gateway replicas', () => {
      assert.equal(find(base, 'Deployment', 'gatehouse').spec.replicas, 3);
      assert.equal(find(base, 'Deployment', 'gatehouse-gateway').spec.replicas, 2);
      assert.equal(find(base, 'PodDisruptionBudget', 'gatehouse').spec.minAvailable, 2);
      assert.equal(find(base, 'PodDisruptionBudget', 'gatehouse-gateway').spec.minAvailable, 1);
      assert.equal(find(base, 'Deployment', 'gatehouse').spec.strategy.rollingUpdate.maxUnavailable, 0);
      assert.equal(containersOf(find(base, 'Deployment', 'gatehouse'))[0]!.image, 'gatehouse:0.1.0');
      assert.equal(containersOf(find(base, 'Deployment', 'gatehouse-gateway'))[0]!.image, 'gatehouse-gateway:0.1.0');
    });
  });

  describe('overlays/dev', () => {
    it('is one pod: Gatehouse on SQLite with a PVC and the gateway beside it, in its own namespace', () => {
      assert.deepEqual(deployments(dev).map((d) => d.metadata.name), ['gatehouse']);
      const d = find(dev, 'Deployment', 'gatehouse');
      assert.equal(d.spec.replicas, 1);
      assert.equal(d.spec.strategy.type, 'Recreate');
      assert.equal(d.spec.strategy.rollingUpdate, undefined);
      assert.deepEqual(containersOf(d).map((c) => c.name).sort(), ['gatehouse', 'gateway']);
      assert.equal(configOf(dev, 'serve').get('GATEHOUSE_DATABASE_URL'), 'sqlite:/var/lib/gatehouse/gatehouse.db');
      assert.equal(configOf(dev, 'gateway').get('GATEWAY_SESSION_STORE'), 'sqlite:/var/lib/gatehouse/gateway-sessions.db');
      assert.equal(find(dev, 'PodDisruptionBudget', 'gatehouse').spec.minAvailable, 0);
      assert.ok(!dev.some((o) => o.kind === 'Ingress'), 'port-forward, no Ingress');
      for (const o of dev) if (o.kind !== 'Namespace') assert.equal(o.metadata.namespace, 'gatehouse-dev', `${o.kind}/${o.metadata.name}`);
      assert.equal(find(dev, 'Namespace', 'gatehouse-dev').metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
    });

    it('uses the seed\'s URLs: the issuer on http://localhost:8080, the gateway on http://localhost:8585', () => {
      assert.equal(configOf(dev, 'serve').get('GATEHOUSE_ORG_URL'), 'http://localhost:8080');
      const gw = configOf(dev, 'gateway');
      assert.equal(gw.get('AUTHENTICATION_AUTHORITY'), 'http://localhost:8080/oauth2/{authServerId}');
      assert.equal(gw.get('OIDC_SERVER_URL'), 'http://localhost:8585');
      assert.equal(gw.get('GATEWAY_SILENT_CALLBACK_URL'), 'http://localhost:8585/silent-callback');
    });
  });

  describe('overlays/production', () => {
    it('scales out: three Gatehouse replicas, three gateway replicas, PDBs and autoscalers', () => {
      assert.equal(find(production, 'Deployment', 'gatehouse').spec.replicas, 3);
      assert.equal(find(production, 'Deployment', 'gatehouse-gateway').spec.replicas, 3);
      assert.equal(find(production, 'PodDisruptionBudget', 'gatehouse').spec.minAvailable, 2);
      assert.equal(find(production, 'PodDisruptionBudget', 'gatehouse-gateway').spec.minAvailable, 2);
      assert.equal(find(production, 'HorizontalPodAutoscaler', 'gatehouse').spec.minReplicas, 3);
      assert.equal(find(production, 'HorizontalPodAutoscaler', 'gatehouse-gateway').spec.minReplicas, 3);
      for (const o of production) if (o.kind !== 'Namespace') assert.equal(o.metadata.namespace, 'gatehouse', `${o.kind}/${o.metadata.name}`);
    });

    it('pulls the images from the registry set in the overlay', () => {
      assert.equal(containersOf(find(production, 'Deployment', 'gatehouse'))[0]!.image, 'registry.example.com/gatehouse/gatehouse:0.1.0');
      assert.equal(containersOf(find(production, 'Deployment', 'gatehouse-gateway'))[0]!.image, 'registry.example.com/gatehouse/gatehouse-gateway:0.1.0');
    });

    it('serves both hosts over TLS, at the https org URL and gateway URL', () => {
      const ing = find(production, 'Ingress', 'gatehouse');
      const org = new URL(configOf(production, 'serve').get('GATEHOUSE_ORG_URL')!);
      const app = new URL(configOf(production, 'gateway').get('OIDC_SERVER_URL')!);
      assert.equal(org.protocol, 'https:');
      assert.equal(app.protocol, 'https:');
      const hosts = ing.spec.rules.map((r: any) => r.host).sort();
      assert.deepEqual(hosts, [app.hostname, org.hostname].sort());
      const tlsHosts = ing.spec.tls.flatMap((t: any) => t.hosts).sort();
      assert.deepEqual(tlsHosts, hosts, 'every host has TLS');
      assert.ok(ing.spec.tls.every((t: any) => t.secretName), 'a certificate Secret per TLS entry');
      assert.equal(find(production, 'Service', ing.spec.rules.find((r: any) => r.host === org.hostname).http.paths[0].backend.service.name).metadata.name, 'gatehouse');
      assert.equal(configOf(production, 'serve').get('GATEHOUSE_TRUST_PROXY'), 'true');
    });
  });

  it('secrets.example.yaml has every key the Deployments reference, and only placeholders', () => {
    const secrets = parseYamlFile('deploy/kubernetes/secrets.example.yaml');
    const referenced = new Set<string>();
    for (const objs of [base, dev, production]) {
      for (const d of deployments(objs)) {
        for (const c of containersOf(d)) for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) referenced.add(`${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`);
      }
    }
    const defined = new Set(secrets.flatMap((s) => Object.keys(s.stringData).map((k) => `${s.metadata.name}/${k}`)));
    assert.deepEqual([...referenced].sort(), [...defined].sort());
    for (const s of secrets) for (const v of Object.values<string>(s.stringData)) assert.match(v, /REPLACE_ME/, `${s.metadata.name}: a placeholder only`);
  });
});
