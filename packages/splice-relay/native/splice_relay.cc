// spliceRelay: a policy-free, zero-copy byte pump between two connected stream
// sockets. Bytes move socket → pipe → socket with splice(2), so they never enter
// user space. One native thread per Node environment (main thread or worker)
// drives every relay of that environment with one edge-triggered epoll set;
// completions go back to JavaScript through one thread-safe function.
//
// Ownership: spliceRelay() dup()s both fds, so the caller may (and must) close
// its own copies; the relay closes its dups when it finishes. Closing one of two
// fds that share an open file description sends nothing to the peer, which is
// what lets the JavaScript side drop its sockets without disturbing the
// connections.
//
// Semantics, per direction (A→B and B→A independently):
//   - EOF read from the source, pipe drained → shutdown(dest, SHUT_WR) (half-close
//     travels through; the other direction keeps going).
//   - both directions shut → finished, how = "eof".
//   - any other splice/shutdown error (ECONNRESET, EPIPE, ...) → finished at once
//     with that errno, how = "error"; closing fds with unread data makes the
//     kernel send RST, so a reset also travels through.
//   - stop(id): flush what the pipes hold (without waiting), shutdown(SHUT_RDWR)
//     both sockets (each peer sees FIN), finish, how = "stopped".
//   - idle (no byte either way for idleMs, checked about once a second):
//     finish, how = "idle".
#include <node_api.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace cordon_relay {
namespace {

// A pipe that fills up grows to 1 MiB: fewer splice calls per byte on bulk
// transfers. Short tunnels never pay for it. When the limit is lower
// (unprivileged pipe-max-size) the pipe keeps its size, which is only slower.
constexpr int kPipeSize = 1 << 20;
// Empty pipes of finished relays are reused (an empty pipe is as good as new):
// creating two pipes per tunnel is a large part of a short tunnel's cost.
constexpr size_t kPipePoolMax = 64;
// A busy relay yields to the others after this many rounds of both directions.
constexpr int kMaxRounds = 32;

int64_t NowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

struct Direction {
  int side = 0;  // index of `from` in Relay::fd
  int from = -1;
  int to = -1;
  int pipe_r = -1;
  int pipe_w = -1;
  size_t capacity = 0;
  size_t buffered = 0;  // bytes sitting in the pipe
  bool read_done = false;
  bool shut = false;
  bool grown = false;
  uint64_t bytes = 0;  // bytes delivered to `to`
};

struct Relay {
  uint64_t id = 0;
  int fd[2] = {-1, -1};
  // Readiness as last reported by (edge-triggered) epoll, cleared on EAGAIN: a
  // direction only calls splice on a side that may make progress, so a bulk
  // transfer does not pay an EAGAIN syscall per round for the quiet direction.
  bool readable[2] = {true, true};
  bool writable[2] = {true, true};
  // EPOLLOUT is watched only once a send buffer has been full (see Step): a fresh
  // socket is writable, and watching it from the start would wake the thread
  // for every new tunnel before it has a byte to move.
  bool out_armed[2] = {false, false};
  Direction dir[2];
  int64_t idle_ms = 0;
  int64_t last_active = 0;
  int add_error = 0;  // epoll_ctl ADD failed on the JS thread
};

constexpr uint32_t kWatch = EPOLLIN | EPOLLRDHUP | EPOLLET;

struct Result {
  uint64_t id;
  int err;
  const char* how;
  uint64_t a_to_b;
  uint64_t b_to_a;
};

enum class CmdType { kAdd, kStop };
struct Command {
  CmdType type;
  Relay* relay;  // kAdd
  uint64_t id;   // kStop
};

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// One per napi_env: its thread, epoll set and the JS callbacks of live relays.
class Relayer {
 public:
  Relayer() = default;

  // Runs on the JS thread. Returns the relay id, or -errno.
  int64_t Start(napi_env env, int fd_a, int fd_b, int64_t idle_ms, napi_value callback) {
    int err = EnsureThread(env);
    if (err != 0) return -err;
    Relay* r = new Relay();
    int fds[2] = {fd_a, fd_b};
    for (int i = 0; i < 2; i++) {
      r->fd[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
      if (r->fd[i] < 0) return Abandon(r, errno);
      // libuv's sockets are already non-blocking (the flag lives on the shared
      // description); a caller's blocking fd must not stall the thread, though.
      int fl = fcntl(r->fd[i], F_GETFL);
      if (fl < 0 || (!(fl & O_NONBLOCK) && fcntl(r->fd[i], F_SETFL, fl | O_NONBLOCK) < 0)) return Abandon(r, errno);
    }
    // Pipes are set up by the relay thread (AttachPipes), off this thread.
    for (int i = 0; i < 2; i++) {
      r->dir[i].side = i;
      r->dir[i].from = r->fd[i];
      r->dir[i].to = r->fd[1 - i];
    }
    r->id = ++last_id_;
    r->idle_ms = idle_ms;
    r->last_active = NowMs();
    napi_ref ref;
    if (napi_create_reference(env, callback, 1, &ref) != napi_ok) return Abandon(r, EINVAL);
    callbacks_[r->id] = ref;
    if (callbacks_.size() == 1) napi_ref_threadsafe_function(env, tsfn_);
    uint64_t id = r->id;
    // The relay thread learns of the relay from the queue, without a wake-up of
    // its own: epoll wakes it when either socket has something (edge-triggered
    // ADD reports what is already pending), and it reads the queue first.
    Enqueue({CmdType::kAdd, r, 0});
    for (int i = 0; i < 2; i++) {
      struct epoll_event ev = {};
      ev.events = kWatch;
      ev.data.u64 = (id << 1) | static_cast<uint64_t>(i);
      if (epoll_ctl(epfd_, EPOLL_CTL_ADD, r->fd[i], &ev) < 0) {
        // The relay is queued: let the relay thread finish it (onDone reports the error).
        r->add_error = errno;
        Wake();
        break;
      }
    }
    return static_cast<int64_t>(id);
  }

  // JS thread: ask the relay thread to stop a relay (no-op when already finished).
  bool Stop(uint64_t id) {
    if (callbacks_.find(id) == callbacks_.end()) return false;
    Post({CmdType::kStop, nullptr, id});
    return true;
  }

  size_t Active() const { return callbacks_.size(); }

  // JS thread, from the thread-safe function.
  void Deliver(napi_env env, Result* res) {
    auto it = callbacks_.find(res->id);
    if (it == callbacks_.end()) return;
    napi_ref ref = it->second;
    callbacks_.erase(it);
    if (callbacks_.empty()) napi_unref_threadsafe_function(env, tsfn_);
    napi_value cb, global, argv[4];
    napi_get_reference_value(env, ref, &cb);
    napi_delete_reference(env, ref);
    napi_get_global(env, &global);
    napi_create_int32(env, res->err, &argv[0]);
    napi_create_string_utf8(env, res->how, NAPI_AUTO_LENGTH, &argv[1]);
    // Doubles are exact up to 2^53 bytes.
    napi_create_double(env, static_cast<double>(res->a_to_b), &argv[2]);
    napi_create_double(env, static_cast<double>(res->b_to_a), &argv[3]);
    napi_call_function(env, global, cb, 4, argv, nullptr);
  }

  // Environment teardown: stop the thread; it drops every relay and releases the tsfn.
  void Shutdown() {
    if (!thread_.joinable()) return;
    quit_.store(true);
    Wake();
    thread_.join();
  }

 private:
  int64_t Abandon(Relay* r, int err) {
    for (int i = 0; i < 2; i++) {
      CloseFd(r->fd[i]);
      CloseFd(r->dir[i].pipe_r);
      CloseFd(r->dir[i].pipe_w);
    }
    delete r;
    return -err;
  }

  static void CallJs(napi_env env, napi_value, void* context, void* data) {
    Result* res = static_cast<Result*>(data);
    if (env != nullptr) static_cast<Relayer*>(context)->Deliver(env, res);
    delete res;
  }

  int EnsureThread(napi_env env) {
    if (thread_.joinable()) return 0;
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epfd_ < 0) return errno;
    evfd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (evfd_ < 0) {
      int e = errno;
      CloseFd(epfd_);
      return e;
    }
    struct epoll_event ev = {};
    ev.events = EPOLLIN;
    ev.data.u64 = 0;  // relay ids start at 1
    epoll_ctl(epfd_, EPOLL_CTL_ADD, evfd_, &ev);
    napi_value name;
    napi_create_string_utf8(env, "cordon-splice-relay", NAPI_AUTO_LENGTH, &name);
    if (napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, nullptr, nullptr, this, CallJs, &tsfn_) != napi_ok) {
      CloseFd(epfd_);
      CloseFd(evfd_);
      return EINVAL;
    }
    // Only live relays keep the event loop alive (ref'd in Start, unref'd in Deliver).
    napi_unref_threadsafe_function(env, tsfn_);
    // Cleanup hooks run last-registered first, so this one joins the thread (which
    // releases the tsfn) before the tsfn's own teardown hook runs.
    napi_add_env_cleanup_hook(env, [](void* self) { static_cast<Relayer*>(self)->Shutdown(); }, this);
    thread_ = std::thread([this] { Loop(); });
    return 0;
  }

  void Enqueue(Command c) {
    std::lock_guard<std::mutex> lock(mu_);
    commands_.push_back(c);
    has_commands_.store(true);
  }

  void Post(Command c) {
    Enqueue(c);
    Wake();
  }

  void Wake() {
    uint64_t one = 1;
    ssize_t n = write(evfd_, &one, sizeof one);
    (void)n;  // EAGAIN means a wake-up is already pending
  }

  // ---- relay thread only below ----

  void Loop() {
    std::vector<struct epoll_event> events(256);
    int64_t last_idle_scan = NowMs();
    while (!quit_.load()) {
      int timeout = ready_.empty() ? 1000 : 0;
      int n = epoll_wait(epfd_, events.data(), static_cast<int>(events.size()), timeout);
      if (n < 0 && errno != EINTR) break;
      std::vector<uint64_t> ready;
      ready.swap(ready_);
      // Relays added since the last round first: their events may be in this batch.
      if (has_commands_.exchange(false)) RunCommands();
      for (int i = 0; i < n; i++) {
        if (events[i].data.u64 == 0) {
          uint64_t count;
          ssize_t r = read(evfd_, &count, sizeof count);
          (void)r;
        } else {
          uint64_t id = events[i].data.u64 >> 1;
          int side = static_cast<int>(events[i].data.u64 & 1);
          auto it = relays_.find(id);
          if (it == relays_.end()) continue;
          uint32_t ev = events[i].events;
          if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) it->second->readable[side] = true;
          if (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) it->second->writable[side] = true;
          ready.push_back(id);
        }
      }
      // A relay named twice is pumped twice: harmless, pumping is idempotent.
      for (uint64_t id : ready) {
        auto it = relays_.find(id);
        if (it != relays_.end()) Pump(it->second);
      }
      int64_t now = NowMs();
      if (now - last_idle_scan >= 1000) {
        last_idle_scan = now;
        std::vector<Relay*> idle;
        for (auto& [id, r] : relays_)
          if (r->idle_ms > 0 && now - r->last_active >= r->idle_ms) idle.push_back(r);
        for (Relay* r : idle) Finish(r, 0, "idle");
      }
    }
    // Teardown: JavaScript is gone or going; drop everything without calling back.
    for (auto& [id, r] : relays_) Release(r);
    relays_.clear();
    std::lock_guard<std::mutex> lock(mu_);
    for (Command& c : commands_)
      if (c.type == CmdType::kAdd) Release(c.relay);
    commands_.clear();
    for (Direction& d : pipe_pool_) {
      CloseFd(d.pipe_r);
      CloseFd(d.pipe_w);
    }
    pipe_pool_.clear();
    napi_release_threadsafe_function(tsfn_, napi_tsfn_abort);
    CloseFd(epfd_);
    CloseFd(evfd_);
  }

  void RunCommands() {
    std::vector<Command> batch;
    {
      std::lock_guard<std::mutex> lock(mu_);
      batch.swap(commands_);
    }
    for (Command& c : batch) {
      if (c.type == CmdType::kAdd) {
        Relay* r = c.relay;
        relays_[r->id] = r;
        if (r->add_error != 0) {
          Finish(r, r->add_error, "error");
          continue;
        }
        // Bytes may already be waiting; edge-triggered epoll reports them too, but
        // a first pump costs nothing and does not depend on that.
        Pump(r);
      } else {
        auto it = relays_.find(c.id);
        if (it != relays_.end()) StopRelay(it->second);
      }
    }
  }

  // A direction holds a pipe only while bytes are in flight: an idle tunnel
  // costs its two sockets and nothing else, and pipes go round the pool.
  int AttachPipe(Direction& d) {
    if (!pipe_pool_.empty()) {
      Direction& pooled = pipe_pool_.back();
      d.pipe_r = pooled.pipe_r;
      d.pipe_w = pooled.pipe_w;
      d.capacity = pooled.capacity;
      d.grown = pooled.grown;
      pipe_pool_.pop_back();
      return 0;
    }
    int p[2];
    if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0) return errno;
    d.pipe_r = p[0];
    d.pipe_w = p[1];
    d.grown = false;
    int cap = fcntl(d.pipe_w, F_GETPIPE_SZ);
    d.capacity = cap > 0 ? static_cast<size_t>(cap) : 4096;
    return 0;
  }

  // Returns an empty pipe to the pool (or closes it when the pool is full).
  void DetachPipe(Direction& d) {
    if (d.pipe_r < 0 || d.buffered != 0) return;
    if (pipe_pool_.size() < kPipePoolMax && !quit_.load()) {
      pipe_pool_.push_back(d);
      d.pipe_r = d.pipe_w = -1;
    }
    CloseFd(d.pipe_r);
    CloseFd(d.pipe_w);
  }

  // Moves what can move without blocking. Returns true when something changed.
  // Sets *err on a hard error.
  bool Step(Relay* r, Direction& d, int* err) {
    bool moved = false;
    if (d.pipe_r < 0 && !d.read_done && r->readable[d.side]) {
      int e = AttachPipe(d);
      if (e != 0) {
        *err = e;
        return false;
      }
    }
    if (d.buffered >= d.capacity && !d.grown) {
      d.grown = true;
      int cap = fcntl(d.pipe_w, F_SETPIPE_SZ, kPipeSize);
      if (cap > 0) d.capacity = static_cast<size_t>(cap);
    }
    bool& readable = r->readable[d.side];
    bool& writable = r->writable[1 - d.side];
    if (!d.read_done && readable && d.buffered < d.capacity) {
      ssize_t n = splice(d.from, nullptr, d.pipe_w, nullptr, d.capacity - d.buffered, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0) {
        d.buffered += static_cast<size_t>(n);
        moved = true;
      } else if (n == 0) {
        d.read_done = true;
        moved = true;
      } else if (errno == EINTR) {
        moved = true;
      } else if (errno != EAGAIN) {
        *err = errno;
        return false;
      } else if (d.buffered == 0) {
        readable = false;  // an empty pipe: the socket has nothing; wait for its edge
      }
      // EAGAIN with bytes in the pipe may mean "pipe slots full": `readable`
      // stays set, the write below frees slots and a later round reads again.
    }
    if (d.buffered > 0 && writable) {
      ssize_t n = splice(d.pipe_r, nullptr, d.to, nullptr, d.buffered, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0) {
        d.buffered -= static_cast<size_t>(n);
        d.bytes += static_cast<uint64_t>(n);
        moved = true;
      } else if (n < 0 && errno == EINTR) {
        moved = true;
      } else if (n < 0 && errno != EAGAIN) {
        *err = errno;
        return false;
      } else if (n < 0) {
        writable = false;  // the socket's send buffer is full: wait for EPOLLOUT
        int side = 1 - d.side;
        if (!r->out_armed[side]) {
          // Arming reports EPOLLOUT at once if space opened up meanwhile: no edge lost.
          r->out_armed[side] = true;
          struct epoll_event ev = {};
          ev.events = kWatch | EPOLLOUT;
          ev.data.u64 = (r->id << 1) | static_cast<uint64_t>(side);
          if (epoll_ctl(epfd_, EPOLL_CTL_MOD, d.to, &ev) < 0) {
            *err = errno;
            return false;
          }
        }
      }
    }
    if (d.read_done && d.buffered == 0 && !d.shut) {
      d.shut = true;
      moved = true;
      // ENOTCONN: the peer is already fully gone; the other direction will say so.
      if (shutdown(d.to, SHUT_WR) < 0 && errno != ENOTCONN) {
        *err = errno;
        return false;
      }
    }
    return moved;
  }

  void Pump(Relay* r) {
    for (int round = 0; round < kMaxRounds; round++) {
      int err = 0;
      bool moved = Step(r, r->dir[0], &err);
      if (err == 0) moved = Step(r, r->dir[1], &err) || moved;
      if (err != 0) return Finish(r, err, "error");
      if (r->dir[0].shut && r->dir[1].shut) return Finish(r, 0, "eof");
      if (!moved) {
        for (Direction& d : r->dir) DetachPipe(d);
        return;
      }
      r->last_active = NowMs();
    }
    // Still busy: come back after the others had their turn.
    ready_.push_back(r->id);
  }

  void StopRelay(Relay* r) {
    // One non-blocking attempt to deliver what the pipes already hold.
    for (Direction& d : r->dir) {
      if (d.buffered == 0) continue;
      ssize_t n = splice(d.pipe_r, nullptr, d.to, nullptr, d.buffered, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0) {
        d.buffered -= static_cast<size_t>(n);
        d.bytes += static_cast<uint64_t>(n);
      }
    }
    for (int fd : r->fd) shutdown(fd, SHUT_RDWR);
    Finish(r, 0, "stopped");
  }

  void Finish(Relay* r, int err, const char* how) {
    Result* res = new Result{r->id, err, how, r->dir[0].bytes, r->dir[1].bytes};
    relays_.erase(r->id);
    Release(r);
    if (napi_call_threadsafe_function(tsfn_, res, napi_tsfn_nonblocking) != napi_ok) delete res;
  }

  void Release(Relay* r) {
    for (int i = 0; i < 2; i++) {
      if (r->fd[i] >= 0) epoll_ctl(epfd_, EPOLL_CTL_DEL, r->fd[i], nullptr);
      CloseFd(r->fd[i]);
      Direction& d = r->dir[i];
      DetachPipe(d);
      CloseFd(d.pipe_r);
      CloseFd(d.pipe_w);
    }
    delete r;
  }

  napi_threadsafe_function tsfn_ = nullptr;
  std::thread thread_;
  std::atomic<bool> quit_{false};
  std::atomic<bool> has_commands_{false};
  int epfd_ = -1;
  int evfd_ = -1;
  std::mutex mu_;
  std::vector<Command> commands_;  // guarded by mu_
  // JS thread only.
  uint64_t last_id_ = 0;
  std::unordered_map<uint64_t, napi_ref> callbacks_;
  // Relay thread only.
  std::unordered_map<uint64_t, Relay*> relays_;
  std::vector<uint64_t> ready_;
  std::vector<Direction> pipe_pool_;  // empty pipes for reuse
};

Relayer* ForEnv(napi_env env) {
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  return static_cast<Relayer*>(data);
}

// spliceRelay(fdA, fdB, idleMs, onDone(errno, how, aToB, bToA)) → id (> 0) or -errno.
napi_value SpliceRelay(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t fd_a = -1, fd_b = -1;
  double idle = 0;
  napi_get_value_int32(env, argv[0], &fd_a);
  napi_get_value_int32(env, argv[1], &fd_b);
  napi_get_value_double(env, argv[2], &idle);
  int64_t r;
  if (fd_a < 0 || fd_b < 0 || fd_a == fd_b) {
    r = -EBADF;
  } else {
    r = ForEnv(env)->Start(env, fd_a, fd_b, static_cast<int64_t>(idle), argv[3]);
  }
  napi_value out;
  napi_create_double(env, static_cast<double>(r), &out);
  return out;
}

// spliceRelayStop(id) → true when the relay was live (its onDone will follow).
napi_value SpliceRelayStop(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  double id = 0;
  napi_get_value_double(env, argv[0], &id);
  napi_value out;
  napi_get_boolean(env, ForEnv(env)->Stop(static_cast<uint64_t>(id)), &out);
  return out;
}

// spliceRelayActive() → relays started whose onDone has not run yet.
napi_value SpliceRelayActive(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_uint32(env, static_cast<uint32_t>(ForEnv(env)->Active()), &out);
  return out;
}

// The module's exports: spliceRelay, spliceRelayStop and spliceRelayActive, with one
// Relayer per environment (main thread or worker).
napi_value Init(napi_env env, napi_value exports) {
  Relayer* relayer = new Relayer();
  napi_set_instance_data(
      env, relayer,
      [](napi_env, void* data, void*) {
        Relayer* r = static_cast<Relayer*>(data);
        r->Shutdown();
        delete r;
      },
      nullptr);
  struct {
    const char* name;
    napi_callback fn;
  } fns[] = {{"spliceRelay", SpliceRelay}, {"spliceRelayStop", SpliceRelayStop}, {"spliceRelayActive", SpliceRelayActive}};
  for (auto& f : fns) {
    napi_value v;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &v);
    napi_set_named_property(env, exports, f.name, v);
  }
  return exports;
}

}  // namespace
}  // namespace cordon_relay

NAPI_MODULE(cordon_splice_relay, cordon_relay::Init)
