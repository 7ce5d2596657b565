import type { ConnectionRecord } from '../persistence/connection.repository';
import type { ConnectionView } from '../domain/connection';

/** What a caller may see of a connection: never a secret, only that it has one and under which key. */
export function viewOf(record: ConnectionRecord): ConnectionView {
  return {
    id: record.id,
    channel: record.channel,
    store: record.store,
    storefrontId: record.storefrontId,
    api: { base: record.apiBase, credentialNames: record.credentialNames },
    defaults: record.defaults,
    ...(record.mapping !== undefined && { mapping: record.mapping }),
    mappingVersion: record.mappingVersion,
    hasSigningSecret: record.secrets.sealed.length > 0,
    secretKeyId: record.secrets.keyId,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}
