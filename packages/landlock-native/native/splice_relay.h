// Zero-copy relay between two connected sockets (see splice_relay.cc).
#pragma once
#include <node_api.h>

namespace cordon_relay {
// Adds spliceRelay, spliceRelayStop and spliceRelayActive to the addon's exports.
void Register(napi_env env, napi_value exports);
}  // namespace cordon_relay
