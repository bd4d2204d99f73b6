// `@psapi/batch/testing`: what tests and benches of Redis-backed batch work start. Node only.
export { type RedisServer, startRedisServer } from "./redis-server.js";
