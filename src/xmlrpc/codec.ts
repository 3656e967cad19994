// XML-RPC codec: values to and from JS, method calls, responses and faults.
// Public entry point of the codec; the pieces live in types.ts, encode.ts and decode.ts.

export { XmlRpcFault, XmlRpcParseError, type XmlRpcEncodable, type XmlRpcValue } from './types.js';
export { MAXINT, clampInt32, encodeFault, encodeMethodCall, encodeResponse, encodeValue } from './encode.js';
export { decodeMethodCall, decodeResponse, decodeValue } from './decode.js';
