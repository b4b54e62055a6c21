// Skeleton: the Landlock ABI query. Expanded by the kernel-layer work.
#include <napi.h>
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif

static Napi::Value KernelAbi(const Napi::CallbackInfo& info) {
  long r = syscall(__NR_landlock_create_ruleset, nullptr, 0, 1U);
  return Napi::Number::New(info.Env(), r < 0 ? -errno : r);
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("kernelAbi", Napi::Function::New(env, KernelAbi));
  return exports;
}

NODE_API_MODULE(cordon_landlock, Init)
