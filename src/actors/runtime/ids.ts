/**
 * Actor ids are single subject tokens, unique on the bus: the Desk `<venue>-<account>` (sim-main),
 * a Holder `<desk>_<asset>` (sim-main_USDT), a Trader `<desk>_<market token>` (sim-main_BTC-USDT).
 * People see the short names: USDT, BTC/USDT.
 */
import { marketToken } from "../../domain/market.js";

export const deskId = (venue: string, account: string) => `${venue}-${account}`;
export const holderId = (desk: string, asset: string) => `${desk}_${asset}`;
export const traderId = (desk: string, market: string) => `${desk}_${marketToken(market)}`;
