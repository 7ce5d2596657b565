// Validates Kubernetes objects against their OpenAPI schemas: kubernetes-models (the official
// Kubernetes API) and its Strimzi, CloudNativePG and Prometheus-operator CRD packages. Those are
// ES modules only, which Jest's CommonJS runtime cannot load, so tests/deploy.spec.ts runs this
// file with node: a JSON array of objects on stdin, one `{ kind, name, error }` per object on stdout.
const MODELS = {
  v1: 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'batch/v1': 'kubernetes-models/batch/v1',
  'autoscaling/v2': 'kubernetes-models/autoscaling/v2',
  'policy/v1': 'kubernetes-models/policy/v1',
  'kafka.strimzi.io/v1beta2': '@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1beta2',
  'postgresql.cnpg.io/v1': '@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1',
  'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
};

let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const object of JSON.parse(input)) {
  const result = { apiVersion: object?.apiVersion, kind: object?.kind, name: object?.metadata?.name };
  try {
    const module = MODELS[object.apiVersion] && (await import(MODELS[object.apiVersion]));
    const Model = module?.[object.kind];
    if (typeof Model !== 'function') throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
    new Model(object).validate();
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  }
  results.push(result);
}
process.stdout.write(JSON.stringify(results));
