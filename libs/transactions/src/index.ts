export { transactionId } from './transaction-id.js';
export { admitTransaction, isTransactionSettled, type Admission, type AdmitOptions } from './admission.js';
export {
  deliverVerdict,
  prepareVerdicts,
  deliverPreparedVerdict,
  subscribeDeliveries,
  ANSWERED_TTL_MS,
  type DeliverResult,
  type DeliverOptions,
  type PreparedDelivery,
  type DeliverySubscription,
} from './delivery.js';
