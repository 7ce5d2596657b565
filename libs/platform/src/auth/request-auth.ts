import { AuthenticatedKey } from './api-key-registry';

// Kept beside the request rather than on it: nothing else can overwrite or spoof it.
const authentications = new WeakMap<object, AuthenticatedKey>();

export function setAuthentication(request: object, auth: AuthenticatedKey): void {
  authentications.set(request, auth);
}

export function authenticationOf(request: object): AuthenticatedKey | undefined {
  return authentications.get(request);
}
