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

const key = (account: string, clientOrderId: string) => `${account}\u0000${clientOrderId}`;

export class OrderRegistry {
  readonly byNumber = new Map<number, SimOrder>();
  /** The number the next accepted order gets (never reused, across a saved state too). */
  nextNumber = 1;
  private readonly byClientId = new Map<string, SimOrder>();
  private readonly owners = new Map<string, number>();

  /** Refuses a client order id the account already used: a retry must not create a second order. */
  checkNew(account: string, clientOrderId: string): void {
    const known = this.byClientId.get(key(account, clientOrderId));
    if (known !== undefined) {
      throw new InvalidOrderError(
        `duplicate clientOrderId ${clientOrderId}: order ${known.num} already has it`,
      );
    }
  }

  add(order: SimOrder): void {
    this.byNumber.set(order.num, order);
    this.byClientId.set(key(order.account, order.clientOrderId), order);
  }

  /** For an order refused before it existed. */
  remove(order: SimOrder): void {
    this.byNumber.delete(order.num);
    this.byClientId.delete(key(order.account, order.clientOrderId));
  }

  find(account: string, ref: OrderRef): SimOrder {
    let order: SimOrder | undefined;
    if (ref.clientOrderId !== undefined) {
      order = this.byClientId.get(key(account, ref.clientOrderId));
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
