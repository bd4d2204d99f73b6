export { createFakeClock, type FakeClock, type FakeClockOptions, flush } from "./fake-clock.js";
export { freePort } from "./free-port.js";
