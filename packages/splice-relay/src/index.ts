/**
 * @cordon/splice-relay: a policy-free, zero-copy byte pump between two connected
 * stream sockets, for @cordon/proxy's CONNECT tunnels (its tunnelRelay "splice").
 */
export { spliceRelay, spliceSockets, spliceRelaysActive, type SpliceRelay, type SpliceRelayEnd, type SpliceRelayOptions, type SpliceRelayResult } from "./splice-relay.js";
export { SpliceRelayError, errnoName } from "./errors.js";
