export { queryRows } from '@waybill/eventing';
