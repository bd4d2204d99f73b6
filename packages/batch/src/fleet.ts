// The fleet (Redis journal, BullMQ queue and workers), one file per role; this module gathers them
// for the package's entry.

export { type EnqueueOptions, enqueueBatch } from "./fleet-enqueue.js";
export { type FollowOptions, followBatch } from "./fleet-follow.js";
export { createRedisJournal } from "./fleet-journal.js";
export { checkBatchId, type FleetJobData, QUEUE_NAME } from "./fleet-keys.js";
export { type FleetStatus, fleetStatus } from "./fleet-status.js";
export { type StartWorkerOptions, startWorker } from "./fleet-worker.js";
