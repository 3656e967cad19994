// XML-RPC codec: values to and from JS, method calls, responses and faults.
// Public entry point of the codec; the pieces live in xmlrpc-types/-encode/-decode.ts.

export {
  XmlRpcFault,
  XmlRpcParseError,
  type XmlRpcEncodable,
  type XmlRpcMethodCall,
  type XmlRpcParseErrorKind,
  type XmlRpcStruct,
  type XmlRpcValue,
} from './types.js';
export {
  MAXINT,
  MININT,
  clampInt32,
  encodeFault,
  encodeMethodCall,
  encodeResponse,
  encodeValue,
  escapeXmlText,
  formatDateTime,
} from './encode.js';
export { decodeMethodCall, decodeResponse, decodeValue, decodeXmlText } from './decode.js';
