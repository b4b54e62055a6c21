{
  "targets": [
    {
      "target_name": "cordon_splice_relay",
      "sources": ["native/splice_relay.cc"],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-Wall", "-Wextra", "-std=c++17"]
    }
  ]
}
