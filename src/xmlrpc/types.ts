// XML-RPC value types and the errors the codec and client throw.

/**
 * A decoded XML-RPC value.
 *
 * | XML-RPC              | JS                                                  |
 * | -------------------- | --------------------------------------------------- |
 * | int, i4, i8          | `number`                                            |
 * | boolean              | `boolean`                                           |
 * | string, bare text    | `string`                                            |
 * | double               | `number`                                            |
 * | dateTime.iso8601     | `Date` (the naive timestamp read as UTC)            |
 * | base64               | `Uint8Array` (a `Buffer` when decoded)              |
 * | array                | `XmlRpcValue[]`                                     |
 * | struct               | plain object                                        |
 * | nil                  | `null`                                              |
 */
export type XmlRpcValue = number | boolean | string | null | Date | Uint8Array | XmlRpcValue[] | XmlRpcStruct;

export interface XmlRpcStruct {
  [key: string]: XmlRpcValue;
}

/**
 * A value that writes its own `<value>…</value>` text, as pieces one after another: what a
 * `StructTemplate` (encode.ts) fills in, or a whole list of them. The encoder takes the pieces as
 * they are.
 */
export abstract class Encoded {
  abstract writeTo(out: EncodeSink): void;
}

/** Where the encoder writes a document: piece after piece of text. */
export interface EncodeSink {
  push(piece: string): unknown;
}

/**
 * An Encoded value that shows the state of when it is written, not of when it was made: for a
 * large answer built only to be sent (getAllProcessInfo of thousands of processes), whose entries
 * are then made, written and dropped one at a time instead of all being alive at once and
 * outliving the young generation. `snapshot()` is the same value fixed now, for a caller that
 * writes it later (system.multicall: the calls after it may change what it shows).
 */
export abstract class LiveEncoded extends Encoded {
  abstract snapshot(): XmlRpcEncodable;
}

/**
 * What the encoder accepts: every `XmlRpcValue`, plus `bigint` (encoded as an integer),
 * `undefined` (encoded as `<nil/>`; struct members whose value is `undefined` are left out, as
 * JSON does), read-only arrays and {@link Encoded} values.
 */
export type XmlRpcEncodable = XmlRpcValue | bigint | undefined | readonly XmlRpcEncodable[] | Encoded | { readonly [key: string]: XmlRpcEncodable };

/** A decoded `<methodCall>`. */
export interface XmlRpcMethodCall {
  methodName: string;
  params: XmlRpcValue[];
}

/**
 * An XML-RPC fault: what `decodeResponse` throws for a `<fault>` response.
 * Mirrors Python's `xmlrpc.client.Fault`; supervisord's strings look like `BAD_NAME: nosuch`.
 */
export class XmlRpcFault extends Error {
  override name = 'XmlRpcFault';
  constructor(
    readonly faultCode: number,
    readonly faultString: string,
  ) {
    super(`<Fault ${faultCode}: ${faultString}>`);
  }
}

/** Why a document was refused; `decodeMethodCall` callers answer HTTP 400 for any of these. */
export type XmlRpcParseErrorKind =
  | 'MALFORMED' // not well-formed XML, DOCTYPE/entity declarations, unknown entities
  | 'BAD_STRUCTURE' // well-formed but not an XML-RPC document (wrong root, bad value text)
  | 'NO_METHOD_NAME' // <methodCall> without a non-empty <methodName>
  | 'TOO_LARGE'; // a body over the caller's size limit

/** A document that is not a valid XML-RPC call or response. */
export class XmlRpcParseError extends Error {
  override name = 'XmlRpcParseError';
  constructor(
    readonly kind: XmlRpcParseErrorKind,
    message: string,
  ) {
    super(message);
  }
}
