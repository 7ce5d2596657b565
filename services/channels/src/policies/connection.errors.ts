import { DomainError } from '@waybill/platform';

export class ConnectionNotFound extends DomainError {
  constructor(id: string) {
    super('CHANNELS.CONNECTION_NOT_FOUND', `channel connection ${id} does not exist`, {
      kind: 'not-found',
      details: { id },
    });
  }
}

export class StoreAlreadyConnected extends DomainError {
  constructor(channel: string, store: string, ownerId: string) {
    super(
      'CHANNELS.STORE_ALREADY_CONNECTED',
      `${channel} store ${store} is already connection ${ownerId}: one store, one connection, or its orders come in twice`,
      { kind: 'conflict', details: { channel, store, connectionId: ownerId } },
    );
  }
}

/** Without CHANNELS_SECRETS_KEY nothing can be sealed, so nothing is written (rather than stored in clear). */
export class SecretsKeyMissing extends DomainError {
  constructor() {
    super(
      'CHANNELS.SECRETS_KEY_MISSING',
      'CHANNELS_SECRETS_KEY is not set: connection secrets cannot be sealed',
      {
        kind: 'unavailable',
      },
    );
  }
}
