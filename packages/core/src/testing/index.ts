export { createFakeClock, type FakeClock, type FakeClockOptions, flush } from "./fake-clock.js";
