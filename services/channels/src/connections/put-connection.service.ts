import { isDeepStrictEqual } from 'node:util';
import { Injectable } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import type { UnitOfWork } from '@waybill/eventing';
import { ConnectionRepository } from '../persistence/connection.repository';
import type { ConnectionSecrets, ConnectionSettings, ConnectionView } from '../domain/connection';
import { ConnectionSecretsBox } from '../policies/connection-secrets-box';
import { StoreAlreadyConnected } from '../policies/connection.errors';
import { viewOf } from '../policies/connection-view';

export interface PutConnectionCommand {
  readonly settings: ConnectionSettings;
  readonly secrets: ConnectionSecrets;
  readonly now?: Date;
}

export interface PutConnectionResult {
  readonly created: boolean;
  readonly connection: ConnectionView;
}

const STORE_CONSTRAINT = 'channel_connections_channel_store_key';

function isStoreConflict(error: unknown): boolean {
  const driverError =
    error instanceof QueryFailedError
      ? (error.driverError as { code?: string; constraint?: string })
      : undefined;
  return driverError?.code === '23505' && driverError.constraint === STORE_CONSTRAINT;
}

/**
 * Creates or replaces a connection whole, secrets included (a PUT names everything, so nothing
 * half-old survives a replacement). The secrets are sealed with the current key, so a PUT is also
 * how a row moves to a rotated key. The mapping version goes up only when the mapping changes.
 */
@Injectable()
export class PutConnection {
  constructor(
    private readonly connections: ConnectionRepository,
    private readonly secretsBox: ConnectionSecretsBox,
  ) {}

  async execute(uow: UnitOfWork, command: PutConnectionCommand): Promise<PutConnectionResult> {
    const { settings } = command;
    const sealed = this.secretsBox.seal(settings.id, command.secrets);
    const existing = await this.connections.get(uow.manager, settings.id, { forUpdate: true });
    const owner = await this.connections.ownerOfStore(
      uow.manager,
      settings.channel,
      settings.store,
      settings.id,
    );
    if (owner !== undefined) {
      throw new StoreAlreadyConnected(settings.channel, settings.store, owner);
    }
    const mappingVersion =
      existing === undefined
        ? 1
        : existing.mappingVersion + (isDeepStrictEqual(existing.mapping, settings.mapping) ? 0 : 1);
    try {
      const record = await this.connections.put(uow.manager, settings, {
        credentialNames: Object.keys(command.secrets.credentials).sort(),
        mappingVersion,
        secrets: sealed,
        now: command.now ?? new Date(),
      });
      return { created: existing === undefined, connection: viewOf(record) };
    } catch (error) {
      // Another PUT took the store between the check above and this insert.
      if (isStoreConflict(error)) {
        throw new StoreAlreadyConnected(settings.channel, settings.store, 'another connection');
      }
      throw error;
    }
  }
}
