import { ContractViolation, EnvelopeError } from '@waybill/contracts';
import {
  backoffMs,
  DEFAULT_RETRY_POLICY,
  isDatabaseUnavailable,
  judgeFailure,
  PermanentEventError,
} from './failure-policy';

describe('failure policy', () => {
  const policy = { maxAttempts: 3, initialBackoffMs: 100, maxBackoffMs: 1000 };

  it('dead-letters contract and envelope errors at once, with their code', () => {
    expect(judgeFailure(new EnvelopeError('ENVELOPE.NOT_JSON', 'x'), 1, policy)).toEqual({
      action: 'dead-letter',
      reason: 'ENVELOPE.NOT_JSON',
    });
    expect(judgeFailure(new ContractViolation('EVENT.INVALID_DATA', 'x'), 1, policy)).toEqual({
      action: 'dead-letter',
      reason: 'EVENT.INVALID_DATA',
    });
    expect(judgeFailure(new PermanentEventError('ORDER.UNKNOWN', 'x'), 1, policy)).toEqual({
      action: 'dead-letter',
      reason: 'ORDER.UNKNOWN',
    });
  });

  it('retries handler errors until the attempts run out', () => {
    expect(judgeFailure(new Error('boom'), 1, policy)).toEqual({ action: 'retry', counts: true });
    expect(judgeFailure(new Error('boom'), 2, policy)).toEqual({ action: 'retry', counts: true });
    expect(judgeFailure(new Error('boom'), 3, policy)).toEqual({
      action: 'dead-letter',
      reason: 'HANDLER.RETRIES_EXHAUSTED',
    });
  });

  it('never dead-letters because the database is down', () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(down)).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(
      true,
    );
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(judgeFailure(down, 99, policy)).toEqual({ action: 'retry', counts: false });
  });

  it('backs off exponentially within the cap, with jitter in the upper half', () => {
    expect(backoffMs(policy, 1, () => 0)).toBe(50);
    expect(backoffMs(policy, 1, () => 1)).toBe(100);
    expect(backoffMs(policy, 3, () => 1)).toBe(400);
    expect(backoffMs(policy, 10, () => 1)).toBe(1000);
    expect(backoffMs(DEFAULT_RETRY_POLICY, 1, () => 0.5)).toBe(150);
  });
});
