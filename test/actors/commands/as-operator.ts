/**
 * The operator of in-process tests: a key of its own (in memory), a ControlHost whose gate trusts
 * it as `operator:test` (no endpoints, no audit log), and control requests it signs, as crypy's
 * tools sign theirs.
 */
import {
  type OperatorCommand,
  OperatorGate,
  operatorRequest,
  type SignableRequest,
  trustedKeys,
} from "../../../src/actors/commands/operator.js";
import { ActorKeys } from "../../../src/actors/identity/keys.js";
import type { ControlHost } from "../../../src/actors/runtime/actor.js";

export const TEST_OPERATOR = ActorKeys.generate();

/** A ControlHost for actors under test: bus control by the test operator only. */
export function testControl(): ControlHost {
  return {
    operators: new OperatorGate(trustedKeys({ test: TEST_OPERATOR.publicKey }), { now: Date.now }),
  };
}

/** A control request for `actor` signed by the test operator. */
export function asOperator(actor: string, command: OperatorCommand): SignableRequest {
  return operatorRequest(TEST_OPERATOR, actor, command, { at: Date.now() });
}
