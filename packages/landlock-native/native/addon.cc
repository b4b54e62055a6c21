// Node-API surface over the three Landlock syscalls. Faithful errno, no policy:
// every function returns the kernel's result (a value, or a negative errno) and
// the TypeScript layer turns failures into LandlockError. Nothing here throws
// except on wrong argument types, which the TypeScript layer already prevents.
#include "remove_tree.h"
#include <napi.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <string>

#include "landlock_abi.h"

namespace {

// Access masks and ports arrive as JS numbers already checked to be safe
// non-negative integers, so the double → uint64 conversion is exact.
uint64_t U64Arg(const Napi::CallbackInfo& info, size_t i) {
  return static_cast<uint64_t>(info[i].As<Napi::Number>().DoubleValue());
}

Napi::Value Result(Napi::Env env, long r) {
  return Napi::Number::New(env, r < 0 ? -errno : static_cast<double>(r));
}

// query(flags) → the VERSION or ERRATA answer, or -errno.
Napi::Value Query(const Napi::CallbackInfo& info) {
  uint32_t flags = info[0].As<Napi::Number>().Uint32Value();
  return Result(info.Env(), cordon_create_ruleset(nullptr, 0, flags));
}

// createRuleset(fs, net, scoped) → fd (close-on-exec, set by the kernel) or -errno.
Napi::Value CreateRuleset(const Napi::CallbackInfo& info) {
  struct cordon_ruleset_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.handled_access_fs = U64Arg(info, 0);
  attr.handled_access_net = U64Arg(info, 1);
  attr.scoped = U64Arg(info, 2);
  return Result(info.Env(), cordon_create_ruleset(&attr, sizeof attr, 0));
}

// addPathRule(rulesetFd, path, access) → null, or { errno, syscall } naming the
// call that failed (opening the path, or add_rule itself).
Napi::Value AddPathRule(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int ruleset_fd = info[0].As<Napi::Number>().Int32Value();
  std::string path = info[1].As<Napi::String>().Utf8Value();
  uint64_t access = U64Arg(info, 2);

  auto failure = [&](int err, const char* syscall_name) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("errno", err);
    o.Set("syscall", syscall_name);
    return o;
  };

  if (path.find('\0') != std::string::npos) return failure(EINVAL, "open");
  int parent_fd = open(path.c_str(), O_PATH | O_CLOEXEC);
  if (parent_fd < 0) return failure(errno, "open");

  unsigned char attr[CORDON_PATH_BENEATH_ATTR_SIZE];
  cordon_path_beneath_attr(attr, access, parent_fd);
  long r = cordon_add_rule(ruleset_fd, CORDON_RULE_PATH_BENEATH, attr, 0);
  int err = errno;
  close(parent_fd);
  if (r < 0) return failure(err, "landlock_add_rule");
  return env.Null();
}

// addPortRule(rulesetFd, port, access) → 0 or -errno.
Napi::Value AddPortRule(const Napi::CallbackInfo& info) {
  struct cordon_net_port_attr attr;
  memset(&attr, 0, sizeof attr);
  int ruleset_fd = info[0].As<Napi::Number>().Int32Value();
  attr.port = U64Arg(info, 1);
  attr.allowed_access = U64Arg(info, 2);
  return Result(info.Env(), cordon_add_rule(ruleset_fd, CORDON_RULE_NET_PORT, &attr, 0));
}

// closeFd(fd) → 0 or -errno.
Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  return Result(info.Env(), close(info[0].As<Napi::Number>().Int32Value()));
}

// strerror(errno) → the C library's description.
Napi::Value StrError(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), strerror(info[0].As<Napi::Number>().Int32Value()));
}

// Returns 0 or an errno (see remove_tree.h).
Napi::Value RemoveTreeAt(const Napi::CallbackInfo& info) {
  std::string parent = info[0].As<Napi::String>().Utf8Value();
  std::string name = info[1].As<Napi::String>().Utf8Value();
  return Napi::Number::New(info.Env(), cordon_remove_tree_at(parent.c_str(), name.c_str()));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("query", Napi::Function::New(env, Query));
  exports.Set("createRuleset", Napi::Function::New(env, CreateRuleset));
  exports.Set("addPathRule", Napi::Function::New(env, AddPathRule));
  exports.Set("addPortRule", Napi::Function::New(env, AddPortRule));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd));
  exports.Set("strerror", Napi::Function::New(env, StrError));
  exports.Set("removeTreeAt", Napi::Function::New(env, RemoveTreeAt));
  return exports;
}

}  // namespace

NODE_API_MODULE(cordon_landlock, Init)
