/** Queue names are a frozen contract: renaming one strands the jobs already in Redis. */
export const QueueNames = { auth: 'auth' } as const;
export type QueueName = (typeof QueueNames)[keyof typeof QueueNames];

/** Every key of the product lives under one hash-tag prefix, so Redis Cluster keeps them on one slot. */
export const DEFAULT_KEY_PREFIX = '{rmfa}';
