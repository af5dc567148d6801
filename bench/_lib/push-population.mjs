// Push-enrolled users for load and fault tests, enrolled through the product's user store.
import { forEachIndex, withUserStore } from './user-store.mjs';

/** Enrolls users named `${namePrefix}0..` for push (the configured notifier). */
export async function enrollPushUsers({ redisUrl, keyPrefix, sealingKey, clusterNodes, count, namePrefix = 'p', concurrency = 500 }) {
  await withUserStore({ redisUrl, keyPrefix, sealingKey, clusterNodes }, (store) => forEachIndex(count, concurrency, (i) => store.enrollPush(`${namePrefix}${i}`)));
}
