import { webhookRejection } from './webhook-rejection';

describe('webhookRejection', () => {
  it.each([
    ['SIGNATURE_MISSING', 400],
    ['SIGNATURE_MALFORMED', 400],
    ['PAYLOAD_MALFORMED', 400],
    ['SIGNATURE_MISMATCH', 401],
    ['TIMESTAMP_OUT_OF_TOLERANCE', 401],
    ['NOT_CONFIGURED', 401],
    ['PAYLOAD_TOO_LARGE', 413],
  ] as const)('%s answers %i with a WEBHOOK.<reason> code and the message', (rejection, status) => {
    const error = webhookRejection(rejection, 'what went wrong');
    expect(error.getStatus()).toBe(status);
    expect(error.getResponse()).toEqual({ code: `WEBHOOK.${rejection}`, message: 'what went wrong' });
  });
});
