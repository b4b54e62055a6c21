{
  "targets": [
    {
      "target_name": "cordon_landlock",
      "sources": ["native/addon.cc", "native/remove_tree.c"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-Wall", "-Wextra", "-std=c++17"],
      "cflags_c": ["-Wall", "-Wextra", "-std=gnu11"]
    },
    {
      "target_name": "cordon-launcher",
      "type": "executable",
      "sources": ["native/launcher.c", "native/seccomp.c", "native/netns.c", "native/mounts.c", "native/relay.c", "native/supervise.c", "native/process_limits.c", "native/contain.c"],
      "cflags": ["-Wall", "-Wextra", "-std=gnu11", "-O2"]
    },
    {
      "target_name": "cordon-probe",
      "type": "executable",
      "sources": ["native/probe.c", "native/probe_net.c"],
      "cflags": ["-Wall", "-Wextra", "-std=gnu11", "-O2"]
    }
  ]
}
