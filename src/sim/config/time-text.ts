/** Venue files share the config layer's time spellings (instants and timeframes). */
export { parseInstant, parseTimeframe } from "../../config/time-text.js";
