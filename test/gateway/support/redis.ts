/** The Redis server the machine runs for tests (GATEHOUSE_TEST_REDIS_URL overrides). */
export const redisUrl = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
