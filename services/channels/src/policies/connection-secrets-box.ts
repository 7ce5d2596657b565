import { SealedSecret, SecretBox } from '../persistence/secret-box';
import { SecretsKeyMissing } from './connection.errors';
import type { ConnectionSecrets } from '../domain/connection';

/**
 * A connection's secrets sealed as one JSON value, bound to the connection id (the AAD): a sealed
 * value moved onto another connection's row does not open there.
 */
export class ConnectionSecretsBox {
  constructor(private readonly box: SecretBox | undefined) {}

  seal(connectionId: string, secrets: ConnectionSecrets): SealedSecret {
    return this.required().seal(JSON.stringify(secrets), connectionId);
  }

  open(connectionId: string, sealed: SealedSecret): ConnectionSecrets {
    return JSON.parse(this.required().open(sealed, connectionId)) as ConnectionSecrets;
  }

  private required(): SecretBox {
    if (!this.box) {
      throw new SecretsKeyMissing();
    }
    return this.box;
  }
}
