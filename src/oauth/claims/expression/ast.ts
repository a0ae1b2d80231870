/**
 * The syntax tree. Every node carries `pos`, the 0-based offset of its operator (or of its first
 * token), for error messages. Trees are plain data: they can be cached and evaluated many times.
 */

export type Expression =
  | LiteralNode
  | ArrayNode
  | IdentifierNode
  | MemberNode
  | CallNode
  | UnaryNode
  | BinaryNode
  | LogicalNode
  | ConditionalNode;

export interface LiteralNode {
  readonly type: 'Literal';
  readonly value: string | number | boolean | null;
  readonly pos: number;
}

/** Okta's array literal, `{"a", "b"}`; `{}` is the empty array. */
export interface ArrayNode {
  readonly type: 'Array';
  readonly elements: readonly Expression[];
  readonly pos: number;
}

/** A root variable: `user`, `app`, `access`. */
export interface IdentifierNode {
  readonly type: 'Identifier';
  readonly name: string;
  readonly pos: number;
}

/** `object.name`; `pos` is that of the name. */
export interface MemberNode {
  readonly type: 'Member';
  readonly object: Expression;
  readonly name: string;
  readonly pos: number;
}

/** A call of a named function: `isMemberOfGroupName(…)`, `String.toUpperCase(…)`. */
export interface CallNode {
  readonly type: 'Call';
  readonly callee: string;
  readonly args: readonly Expression[];
  readonly pos: number;
}

export interface UnaryNode {
  readonly type: 'Unary';
  readonly operator: '!' | '-';
  readonly operand: Expression;
  readonly pos: number;
}

export type BinaryOperator = '+' | '-' | '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface BinaryNode {
  readonly type: 'Binary';
  readonly operator: BinaryOperator;
  readonly left: Expression;
  readonly right: Expression;
  readonly pos: number;
}

/** `AND`/`&&`, `OR`/`||`: short-circuit. */
export interface LogicalNode {
  readonly type: 'Logical';
  readonly operator: '&&' | '||';
  readonly left: Expression;
  readonly right: Expression;
  readonly pos: number;
}

export interface ConditionalNode {
  readonly type: 'Conditional';
  readonly test: Expression;
  readonly consequent: Expression;
  readonly alternate: Expression;
  readonly pos: number;
}
