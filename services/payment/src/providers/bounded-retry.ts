// Shared with the logistics carriers since the retry rules are the same for every outside party.
export {
  ProviderTimeoutError,
  ProviderUnavailableError,
  withBoundedRetries,
  type RetryFailure,
  type RetryOptions,
} from '@waybill/platform';
