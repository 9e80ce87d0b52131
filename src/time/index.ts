export type { Clock, TimerHandle } from "./clock.js";
export { VirtualClock } from "./virtual-clock.js";
export { WallClock, type WallClockOptions } from "./wall-clock.js";
