/**
 * Every order the exchange has accepted, by number and by (account, client order id), and the
 * owner number each account trades under in the books (for self-trade prevention).
 */
import { InvalidOrderError, OrderNotFoundError } from "../domain/errors.js";
import type { SimOrder } from "./sim-order.js";

export interface OrderRef {
  id?: string;
  clientOrderId?: string;
}

export class OrderRegistry {
  readonly byNumber = new Map<number, SimOrder>();
  /** The number the next accepted order gets (never reused, across a saved state too). */
  nextNumber = 1;
  /** By account, then client order id (no joined key to build and hash for every order). */
  private readonly byClientId = new Map<string, Map<string, SimOrder>>();
  private readonly owners = new Map<string, number>();

  /** Refuses a client order id the account already used: a retry must not create a second order. */
  checkNew(account: string, clientOrderId: string): void {
    const known = this.byClientId.get(account)?.get(clientOrderId);
    if (known !== undefined) {
      throw new InvalidOrderError(
        `duplicate clientOrderId ${clientOrderId}: order ${known.num} already has it`,
      );
    }
  }

  add(order: SimOrder): void {
    this.byNumber.set(order.num, order);
    let mine = this.byClientId.get(order.account);
    if (mine === undefined) {
      mine = new Map();
      this.byClientId.set(order.account, mine);
    }
    mine.set(order.clientOrderId, order);
  }

  /** For an order refused before it existed. */
  remove(order: SimOrder): void {
    this.byNumber.delete(order.num);
    this.byClientId.get(order.account)?.delete(order.clientOrderId);
  }

  find(account: string, ref: OrderRef): SimOrder {
    let order: SimOrder | undefined;
    if (ref.clientOrderId !== undefined) {
      order = this.byClientId.get(account)?.get(ref.clientOrderId);
    } else if (ref.id !== undefined && /^[1-9][0-9]*$/.test(ref.id)) {
      order = this.byNumber.get(Number(ref.id));
    }
    if (order === undefined || order.account !== account) {
      const which =
        ref.clientOrderId !== undefined ? `clientOrderId ${ref.clientOrderId}` : `id ${ref.id}`;
      throw new OrderNotFoundError(`no order with ${which} for account ${account}`);
    }
    return order;
  }

  /** The account's owner number in the books (1, 2, …; the market makers are NO_STP_OWNER). */
  owner(account: string): number {
    let n = this.owners.get(account);
    if (n === undefined) {
      n = this.owners.size + 1;
      this.owners.set(account, n);
    }
    return n;
  }
}
