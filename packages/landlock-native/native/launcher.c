/*
 * cordon-launcher: applies a Landlock ruleset to itself between fork and exec,
 * then execs the command. Node never restricts itself (landlock_restrict_self
 * only binds the calling thread), so enforcement happens here, in the child.
 *
 *   cordon-launcher [--ruleset-fd N] [--restrict-flags F] [--status-fd S]
 *                   [--seccomp-fd M] [--netns] [--netns-relay PORT:SOCKET]
 *                   [--netns-local PORT:SOCKET]... [--netns-publish PORT:SOCKET]...
 *                   [--protect PATH]... [--pin DIR]... [--pidns] [--read-only]
 *                   [--writable PATH]... [--mask PATH]... [--tmpfs DIR]...
 *                   [--tmpfs-size BYTES] [--rule ACCESS:/PATH]...
 *                   [--cgroup DIR] [--die-with-parent] [--drop-caps] [--] CMD [ARGS...]
 *
 * Stages, in main()'s order: status_fd → cgroup → die_with_parent → the ABI
 * override (CORDON_LANDLOCK_ABI_MAX) → namespaces (netns.c) → supervise (fork;
 * the parent relays, reaps and waits: relay.c, supervise.c) → mounts (mounts.c,
 * contain.c) → rules (re-added after the fresh mounts) → init (with --pidns the
 * child is the namespace's init: it forks the command and reaps) → drop_caps →
 * no_new_privs → restrict_self → seccomp → close inherited fds → exec. Any
 * failure before exec writes one JSON line to the status fd, one line to
 * stderr, and exits 125 without exec'ing anything.
 * Exit 127: command not found; 126: found but not executable; 2: usage error.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <poll.h>
#include <termios.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>

#include "contain.h"
#include "landlock_abi.h"
#include "mounts.h"
#include "process_limits.h"
#include "netns.h"
#include "relay.h"
#include "seccomp.h"
#include "supervise.h"

#define EXIT_USAGE 2
#define EXIT_SETUP 125
#define EXIT_NOT_EXECUTABLE 126
#define EXIT_NOT_FOUND 127

#ifndef __NR_close_range
#define __NR_close_range 436
#endif

struct options {
  int ruleset_fd;         /* -1: no Landlock domain */
  unsigned long restrict_flags;
  int status_fd;  /* -1: none */
  int seccomp_fd; /* -1: none */
  int netns;      /* a new network namespace with only loopback */
  int relay_port; /* 0: no relay; else listen on loopback:PORT inside the netns ... */
  const char *relay_socket; /* ... and relay each connection to this unix socket */
  /* Local ports beside the proxy relay (they need it: platform mode). */
  struct local_port {
    int port;
    const char *socket;
    int publish; /* 0: loopback:PORT inside → socket (a host service); 1: socket → loopback:PORT inside */
  } locals[CORDON_RELAY_MAX_PORTS];
  int nlocals;
  int die_with_parent; /* SIGKILL the command when the launcher's parent exits */
  int drop_caps;       /* shed every capability before exec */
  const char **protect; /* paths made read-only in a new mount namespace */
  int nprotect;
  const char **pin; /* directories made mount points (not renamable), before the protected paths */
  int npin;
  int pidns;      /* PID + IPC namespaces: fresh /proc, private /dev/shm and devpts, init supervisor */
  int read_only;  /* every mount read-only but the writable paths */
  const char **writable;
  int nwritable;
  const char **mask; /* paths covered by something empty and read-only */
  int nmask;
  const char **tmpfs; /* directories covered by a private tmpfs of tmpfs_size bytes */
  int ntmpfs;
  unsigned long long tmpfs_size;
  const char *cgroup; /* a cgroup v2 directory to move into first (NULL: none) */
  const char **rule_path; /* path rules added to the ruleset after the mounts (new mounts are new inodes) */
  uint64_t *rule_access;
  int nrule;
  char **command; /* NULL-terminated argv of the command */
};

static int status_fd = -1;

static const char *errno_name(int err) {
  const char *name = strerrorname_np(err);
  return name ? name : "EUNKNOWN";
}

/* Writes s as a JSON string body (without quotes) into out; always terminates. */
static void json_escape(char *out, size_t cap, const char *s) {
  size_t n = 0;
  for (; *s && n + 7 < cap; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      out[n++] = '\\';
      out[n++] = (char)c;
    } else if (c < 0x20) {
      n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
    } else {
      out[n++] = (char)c;
    }
  }
  out[n] = '\0';
}

/* Reports a failure to the status fd (JSON) and stderr, then exits with code. */
__attribute__((noreturn, format(printf, 4, 5))) static void fail(int code, const char *stage, int err,
                                                                 const char *fmt, ...) {
  char message[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);

  if (status_fd >= 0) {
    char escaped[sizeof message * 6 + 1];
    char line[sizeof escaped + 128];
    json_escape(escaped, sizeof escaped, message);
    int len = snprintf(line, sizeof line, "{\"stage\":\"%s\",\"errno\":\"%s\",\"message\":\"%s\"}\n", stage,
                       errno_name(err), escaped);
    if (len > 0) {
      ssize_t ignored = write(status_fd, line, (size_t)len);
      (void)ignored;
    }
  }
  fprintf(stderr, "cordon-launcher: %s\n", message);
  exit(code);
}

static void usage(const char *why) {
  fprintf(stderr,
          "cordon-launcher: %s\n"
          "usage: cordon-launcher [--ruleset-fd N] [--restrict-flags F] [--status-fd S] [--seccomp-fd M] [--netns] "
          "[--netns-relay PORT:SOCKET] [--netns-local PORT:SOCKET]... [--netns-publish PORT:SOCKET]... [--protect PATH]... [--pin DIR]... "
          "[--pidns] [--read-only] [--writable PATH]... [--mask PATH]... [--tmpfs DIR]... "
          "[--tmpfs-size BYTES] [--cgroup DIR] [--rule ACCESS:PATH]... [--die-with-parent] [--drop-caps] [--] CMD [ARGS...]\n",
          why);
  exit(EXIT_USAGE);
}

/* Strict number parsing: the whole string, base 10 (or 0x.. hex), within max. */
static unsigned long parse_number(const char *option, const char *text, unsigned long max) {
  char why[256];
  if (text == NULL) {
    snprintf(why, sizeof why, "%s needs a value", option);
    usage(why);
  }
  char *end = NULL;
  errno = 0;
  unsigned long v = strtoul(text, &end, 0);
  if (!isdigit((unsigned char)text[0]) || errno != 0 || *end != '\0' || v > max) {
    snprintf(why, sizeof why, "%s: invalid value '%s' (expected an integer 0..%lu)", option, text, max);
    usage(why);
  }
  return v;
}

/* PORT:SOCKET, SOCKET an absolute path that fits sockaddr_un: returns PORT, sets *socket. */
static int parse_port_socket(const char *flag, const char *value, const char **socket) {
  char why[256];
  const char *colon = value ? strchr(value, ':') : NULL;
  if (colon == NULL) {
    snprintf(why, sizeof why, "%s needs PORT:SOCKET_PATH", flag);
    usage(why);
  }
  char port[16];
  size_t len = (size_t)(colon - value);
  if (len == 0 || len >= sizeof port) {
    snprintf(why, sizeof why, "%s: invalid port", flag);
    usage(why);
  }
  memcpy(port, value, len);
  port[len] = '\0';
  int n = (int)parse_number(flag, port, 65535);
  *socket = colon + 1;
  if (n == 0) {
    snprintf(why, sizeof why, "%s: the port must be 1..65535", flag);
    usage(why);
  }
  if ((*socket)[0] != '/' || strlen(*socket) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
    snprintf(why, sizeof why, "%s: '%s' must be an absolute path shorter than %zu bytes", flag, *socket,
             sizeof(((struct sockaddr_un *)0)->sun_path));
    usage(why);
  }
  return n;
}

static void parse_relay(const char *value, struct options *o) {
  o->relay_port = parse_port_socket("--netns-relay", value, &o->relay_socket);
  o->netns = 1;
}

static void parse_local(const char *flag, const char *value, int publish, struct options *o) {
  if (o->nlocals >= CORDON_RELAY_MAX_PORTS) usage("too many --netns-local/--netns-publish ports");
  struct local_port *l = &o->locals[o->nlocals++];
  l->port = parse_port_socket(flag, value, &l->socket);
  l->publish = publish;
}

static void parse_args(int argc, char **argv, struct options *o) {
  o->ruleset_fd = -1;
  o->restrict_flags = 0;
  o->status_fd = -1;
  o->seccomp_fd = -1;
  o->netns = 0;
  o->die_with_parent = 0;
  o->drop_caps = 0;
  o->relay_port = 0;
  o->relay_socket = NULL;
  o->nlocals = 0;
  o->protect = calloc((size_t)argc, sizeof *o->protect);
  o->nprotect = 0;
  o->pin = calloc((size_t)argc, sizeof *o->pin);
  o->npin = 0;
  o->pidns = 0;
  o->read_only = 0;
  o->writable = calloc((size_t)argc, sizeof *o->writable);
  o->nwritable = 0;
  o->mask = calloc((size_t)argc, sizeof *o->mask);
  o->nmask = 0;
  o->tmpfs = calloc((size_t)argc, sizeof *o->tmpfs);
  o->ntmpfs = 0;
  o->tmpfs_size = 0;
  o->cgroup = NULL;
  o->rule_path = calloc((size_t)argc, sizeof *o->rule_path);
  o->rule_access = calloc((size_t)argc, sizeof *o->rule_access);
  o->nrule = 0;
  if (o->rule_path == NULL || o->rule_access == NULL) usage("out of memory");
  o->command = NULL;
  if (o->protect == NULL || o->pin == NULL || o->writable == NULL || o->mask == NULL || o->tmpfs == NULL) usage("out of memory");

  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    }
    if (strncmp(a, "-", 1) != 0) break;
    const char *value = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--netns") == 0) {
      o->netns = 1;
      continue;
    }
    if (strcmp(a, "--die-with-parent") == 0) {
      o->die_with_parent = 1;
      continue;
    }
    if (strcmp(a, "--drop-caps") == 0) {
      o->drop_caps = 1;
      continue;
    }
    if (strcmp(a, "--pidns") == 0) {
      o->pidns = 1;
      continue;
    }
    if (strcmp(a, "--read-only") == 0) {
      o->read_only = 1;
      continue;
    }
    if (strcmp(a, "--ruleset-fd") == 0) {
      o->ruleset_fd = (int)parse_number(a, value, INT_MAX);
    } else if (strcmp(a, "--restrict-flags") == 0) {
      o->restrict_flags = parse_number(a, value, UINT32_MAX);
    } else if (strcmp(a, "--status-fd") == 0) {
      o->status_fd = (int)parse_number(a, value, INT_MAX);
    } else if (strcmp(a, "--seccomp-fd") == 0) {
      o->seccomp_fd = (int)parse_number(a, value, INT_MAX);
    } else if (strcmp(a, "--netns-relay") == 0) {
      parse_relay(value, o);
    } else if (strcmp(a, "--netns-local") == 0) {
      parse_local(a, value, 0, o);
    } else if (strcmp(a, "--netns-publish") == 0) {
      parse_local(a, value, 1, o);
    } else if (strcmp(a, "--protect") == 0) {
      if (value == NULL || value[0] != '/') usage("--protect needs an absolute path");
      o->protect[o->nprotect++] = value;
    } else if (strcmp(a, "--pin") == 0) {
      if (value == NULL || value[0] != '/') usage("--pin needs an absolute path");
      o->pin[o->npin++] = value;
    } else if (strcmp(a, "--writable") == 0) {
      if (value == NULL || value[0] != '/') usage("--writable needs an absolute path");
      o->writable[o->nwritable++] = value;
    } else if (strcmp(a, "--mask") == 0) {
      if (value == NULL || value[0] != '/') usage("--mask needs an absolute path");
      o->mask[o->nmask++] = value;
    } else if (strcmp(a, "--tmpfs") == 0) {
      if (value == NULL || value[0] != '/') usage("--tmpfs needs an absolute path");
      o->tmpfs[o->ntmpfs++] = value;
    } else if (strcmp(a, "--rule") == 0) {
      const char *colon = value ? strchr(value, ':') : NULL;
      if (colon == NULL || colon[1] != '/' || (size_t)(colon - value) >= 32) usage("--rule needs ACCESS:/PATH");
      char access[32];
      memcpy(access, value, (size_t)(colon - value));
      access[colon - value] = '\0';
      o->rule_access[o->nrule] = parse_number("--rule", access, ULONG_MAX);
      o->rule_path[o->nrule++] = colon + 1;
    } else if (strcmp(a, "--cgroup") == 0) {
      if (value == NULL || value[0] != '/') usage("--cgroup needs an absolute path");
      o->cgroup = value;
    } else if (strcmp(a, "--tmpfs-size") == 0) {
      o->tmpfs_size = parse_number(a, value, ULONG_MAX);
    } else {
      char why[256];
      snprintf(why, sizeof why, "unknown option '%s'", a);
      usage(why);
    }
    i++;
  }
  if (i >= argc) usage("missing command");
  if (o->nrule > 0 && o->ruleset_fd < 0) usage("--rule needs --ruleset-fd");
  if (o->nwritable > 0 && !o->read_only) usage("--writable only makes sense with --read-only");
  if (o->status_fd >= 0 && o->status_fd < 3) usage("--status-fd must be 3 or above (it is closed on exec)");
  if (o->status_fd >= 0 && (o->status_fd == o->ruleset_fd || o->status_fd == o->seccomp_fd))
    usage("--status-fd must differ from the ruleset and seccomp fds");
  o->command = argv + i;
}

/* The status pipe must close on a successful exec, so the parent reads EOF. */
static void stage_status_fd(const struct options *o) {
  if (o->status_fd < 0) return;
  int flags = fcntl(o->status_fd, F_GETFD);
  if (flags < 0 || fcntl(o->status_fd, F_SETFD, flags | FD_CLOEXEC) < 0) {
    int err = errno;
    /* Not usable: report on stderr only. */
    fail(EXIT_SETUP, "status_fd", err, "status fd %d is not usable: %s", o->status_fd, strerror(err));
  }
  status_fd = o->status_fd;
}

/*
 * CORDON_LANDLOCK_ABI_MAX pretends the kernel is older: restrict_self must then
 * fail exactly as that kernel would (ENOSYS for ABI 0, EINVAL for flags it lacks).
 * Returns the ABI to emulate, or -1 when the real kernel decides.
 */
static int override_abi(void) {
  const char *text = getenv("CORDON_LANDLOCK_ABI_MAX");
  if (text == NULL || text[0] == '\0') return -1;
  char *end = NULL;
  errno = 0;
  unsigned long max = strtoul(text, &end, 10);
  if (!isdigit((unsigned char)text[0]) || errno != 0 || *end != '\0' || max > INT_MAX)
    fail(EXIT_SETUP, "override", EINVAL,
         "CORDON_LANDLOCK_ABI_MAX='%s' is not a non-negative integer", text);
  long kernel = cordon_create_ruleset(NULL, 0, CORDON_CREATE_RULESET_VERSION);
  if (kernel < 0) return -1; /* no Landlock at all: the kernel's own errno is the truth */
  return (long)max < kernel ? (int)max : -1;
}

static int wants_mounts(const struct options *o) {
  return o->nprotect > 0 || o->npin > 0 || o->pidns || o->read_only || o->nmask > 0 || o->ntmpfs > 0;
}

/*
 * Before anything restricts us: new namespaces (user first, see netns.c), lo
 * up and the relay's listeners inside the network namespace (so they exist
 * before the command can connect: no start-up race). The mounts come after
 * the fork (a fresh /proc must be mounted from inside the PID namespace).
 */
static void stage_namespaces(const struct options *o, int listeners[2], int *nlisteners) {
  *nlisteners = 0;
  int mounts = wants_mounts(o);
  int flags = (o->netns ? CLONE_NEWNET : 0) | (mounts ? CLONE_NEWNS : 0) | (o->pidns ? CLONE_NEWPID | CLONE_NEWIPC : 0);
  if (flags == 0) return;
  char why[512];
  int err = cordon_unshare(flags, why, sizeof why);
  if (err == 0 && o->netns) err = cordon_loopback_up(why, sizeof why);
  if (err == 0 && o->relay_port > 0) err = cordon_listen_loopback(o->relay_port, listeners, nlisteners, why, sizeof why);
  if (err == 0 && mounts) err = cordon_mounts_private(why, sizeof why);
  if (err != 0) fail(EXIT_SETUP, "namespaces", err, "%s", why);
}

/* Every mount of the run, in the order that keeps each one meaningful. */
static void stage_mounts(const struct options *o) {
  if (!wants_mounts(o)) return;
  char why[512];
  int err = 0;
  /* Read-only first: the binds below are new mounts that keep their own flags. */
  if (o->read_only) err = cordon_read_only_except(o->writable, o->nwritable, why, sizeof why);
  /* Pins next: a later read-only bind below a pinned directory then sits on the pin. */
  for (int i = 0; err == 0 && i < o->npin; i++) err = cordon_pin_path(o->pin[i], why, sizeof why);
  for (int i = 0; err == 0 && i < o->nprotect; i++) err = cordon_protect_path(o->protect[i], why, sizeof why);
  if (err == 0) err = cordon_mask_paths(o->mask, o->nmask, why, sizeof why);
  if (err == 0 && o->pidns) err = cordon_mount_proc(why, sizeof why);
  if (err == 0 && o->pidns) err = cordon_mount_shm(o->tmpfs_size, why, sizeof why);
  if (err == 0 && o->pidns) err = cordon_mount_devpts(why, sizeof why);
  for (int i = 0; err == 0 && i < o->ntmpfs; i++) err = cordon_mount_tmpfs(o->tmpfs[i], o->tmpfs_size, why, sizeof why);
  if (err != 0) fail(EXIT_SETUP, "mounts", err, "%s", why);
  /* The working directory still names the mount it was opened on: move onto what is there now. */
  char *cwd = getcwd(NULL, 0);
  if (cwd != NULL) {
    if (chdir(cwd) != 0) {
      int e = errno;
      fail(EXIT_SETUP, "mounts", e, "re-entering the working directory %s: %s", cwd, strerror(e));
    }
    free(cwd);
  }
}

/*
 * The local ports' listeners, still inside the new network namespace and before the fork (so they
 * exist before the command runs): a loopback port inside whose connections go to cordon's unix
 * socket for that host port, or a unix socket cordon connects to from the host whose connections
 * go to the loopback port inside.
 */
static int cordon_relay_local_ports(struct cordon_relay *relay, const struct local_port *locals, int n, char *why, size_t cap) {
  for (int i = 0; i < n; i++) {
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    strncpy(un.sun_path, locals[i].socket, sizeof un.sun_path - 1);
    socklen_t un_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(un.sun_path) + 1);
    if (!locals[i].publish) {
      int fds[2], count = 0;
      int err = cordon_listen_loopback(locals[i].port, fds, &count, why, cap);
      if (err != 0) return err;
      for (int k = 0; k < count; k++) {
        if (cordon_relay_add(relay, fds[k], (const struct sockaddr *)&un, un_len) != 0) return snprintf(why, cap, "relay: too many ports"), ENOSPC;
      }
      continue;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    unlink(un.sun_path); /* a previous command of the same sandbox published it */
    if (fd < 0 || bind(fd, (const struct sockaddr *)&un, un_len) != 0 || listen(fd, 128) != 0) {
      int err = errno;
      snprintf(why, cap, "listening on %s for published port %d: %s", un.sun_path, locals[i].port, strerror(err));
      return err;
    }
    struct sockaddr_in inside = {.sin_family = AF_INET, .sin_port = htons((uint16_t)locals[i].port)};
    inside.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (cordon_relay_add(relay, fd, (const struct sockaddr *)&inside, sizeof inside) != 0) return snprintf(why, cap, "relay: too many ports"), ENOSPC;
  }
  return 0;
}

/*
 * Landlock rules name inodes: a fresh /proc, devpts or tmpfs mounted on a
 * granted path is a new inode the ruleset (built before the mounts) does not
 * know. The sandbox names those paths again; they are added now.
 */
static void stage_rules(const struct options *o) {
  for (int i = 0; i < o->nrule; i++) {
    int fd = open(o->rule_path[i], O_PATH | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) continue;
      int e = errno;
      fail(EXIT_SETUP, "rules", e, "opening %s for its Landlock rule: %s", o->rule_path[i], strerror(e));
    }
    unsigned char attr[CORDON_PATH_BENEATH_ATTR_SIZE];
    cordon_path_beneath_attr(attr, o->rule_access[i], fd);
    long r = cordon_add_rule(o->ruleset_fd, CORDON_RULE_PATH_BENEATH, attr, 0);
    int e = errno;
    close(fd);
    if (r != 0) fail(EXIT_SETUP, "rules", e, "landlock_add_rule(%s, 0x%llx): %s", o->rule_path[i], (unsigned long long)o->rule_access[i], strerror(e));
  }
}

static sigset_t saved_mask;  /* the signal mask the command gets back: the one the launcher started with */
static int init_status[2] = {-1, -1}; /* the namespace's init → the supervisor outside: the command's wait status */
static int supervisor_alive[2] = {-1, -1}; /* held open by the supervisor: the init sees it gone */

/* The command's fds are the child's business; the status pipe must close when it execs. */
static void close_command_fds(const struct options *o) {
  if (o->status_fd >= 0) close(o->status_fd);
  if (o->ruleset_fd >= 0) close(o->ruleset_fd);
  if (o->seccomp_fd >= 0) close(o->seccomp_fd);
}

/*
 * The launcher always forks: the child returns and goes on (in a PID namespace
 * it is the namespace's init, see stage_init); the parent stays outside as the
 * supervisor (relay, signals, reaping) and never returns.
 */
static void stage_supervise(const struct options *o, pid_t parent, const int listeners[2], int nlisteners) {
  char why[512];
  enum cordon_supervisor_kind kind = o->pidns ? CORDON_SUPERVISE_NAMESPACE : CORDON_SUPERVISE_TREE;
  sigset_t ignored;
  int err = cordon_supervise_prepare(kind, parent, &ignored, why, sizeof why);
  if (err != 0) fail(EXIT_SETUP, "supervise", err, "%s", why);
  struct cordon_relay *relay = NULL;
  if (o->relay_port > 0) {
    relay = cordon_relay_new(listeners, nlisteners, o->relay_socket);
    if (relay == NULL) fail(EXIT_SETUP, "supervise", ENOMEM, "relay: out of memory");
    err = cordon_relay_local_ports(relay, o->locals, o->nlocals, why, sizeof why);
    if (err != 0) fail(EXIT_SETUP, "supervise", err, "%s", why);
  }
  if (o->pidns && (pipe2(init_status, O_CLOEXEC) != 0 || pipe2(supervisor_alive, O_CLOEXEC) != 0)) {
    int e = errno;
    fail(EXIT_SETUP, "supervise", e, "pipe: %s", strerror(e));
  }
  pid_t supervisor = getpid();
  pid_t child = fork();
  if (child < 0) {
    int e = errno;
    fail(EXIT_SETUP, "supervise", e, "fork: %s", strerror(e));
  }
  if (child == 0) {
    if (o->pidns) {
      /* The init: dies with the supervisor (a parent outside the namespace: getppid() is 0 here). */
      close(init_status[0]);
      close(supervisor_alive[1]);
      for (int i = 0; i < nlisteners; i++) close(listeners[i]);
      struct pollfd alive = {.fd = supervisor_alive[0], .events = POLLIN};
      if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || poll(&alive, 1, 0) != 0)
        fail(EXIT_SETUP, "supervise", ESRCH, "the supervisor exited before the sandbox started");
      return;
    }
    err = cordon_supervised_child(supervisor, &saved_mask, why, sizeof why);
    if (err != 0) fail(EXIT_SETUP, "supervise", err, "%s", why);
    return; /* the listeners are closed with every other fd before exec */
  }
  close_command_fds(o);
  if (o->pidns) {
    close(init_status[1]);
    close(supervisor_alive[0]);
  }
  cordon_supervise(kind, child, relay, init_status[0]);
}

static int in_foreground; /* the launcher started in the terminal's foreground process group */

/*
 * The terminal's foreground group is a host process group, invisible in the
 * PID namespace: a job-control shell could never give the terminal back to it
 * ("Cannot set tty process group"). So the command gets a process group of its
 * own, made the foreground one, when the launcher was in the foreground.
 */
static void take_terminal(void) {
  if (!in_foreground || setpgid(0, 0) != 0) return;
  sigset_t ttou, old;
  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  sigprocmask(SIG_BLOCK, &ttou, &old);
  if (tcsetpgrp(STDIN_FILENO, getpgrp()) != 0) { /* not fatal: the command still runs, without job control */
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
}

/*
 * In the PID namespace, after the mounts: the init forks the command and
 * stays as its reaper. When the command ends the init exits, and the kernel
 * kills whatever is left in the namespace.
 */
static void stage_init(const struct options *o) {
  if (!o->pidns) return;
  char why[512];
  pid_t child = fork();
  if (child < 0) {
    int e = errno;
    fail(EXIT_SETUP, "supervise", e, "fork: %s", strerror(e));
  }
  if (child == 0) {
    int err = cordon_supervised_child(1, &saved_mask, why, sizeof why);
    if (err != 0) fail(EXIT_SETUP, "supervise", err, "%s", why);
    take_terminal();
    return;
  }
  close_command_fds(o);
  cordon_supervise(CORDON_SUPERVISE_INIT, child, NULL, init_status[1]);
}

/* Before anything forks: every process of the run is then in the cgroup, for the caller's cgroup.kill. */
static void stage_cgroup(const struct options *o) {
  if (o->cgroup == NULL) return;
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/cgroup.procs", o->cgroup);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  int err = fd < 0 ? errno : 0;
  if (fd >= 0) {
    if (write(fd, "0\n", 2) != 2) err = errno;
    close(fd);
  }
  if (err != 0) fail(EXIT_SETUP, "cgroup", err, "moving into the cgroup %s: %s", o->cgroup, strerror(err));
}

static void stage_die_with_parent(const struct options *o, pid_t parent) {
  if (!o->die_with_parent) return;
  char why[256];
  int err = cordon_die_with_parent(parent, why, sizeof why);
  if (err != 0) fail(EXIT_SETUP, "die_with_parent", err, "%s", why);
}

/* After the namespaces (they need CAP_SYS_ADMIN when run as root), before exec. */
static void stage_drop_caps(const struct options *o) {
  if (!o->drop_caps) return;
  char why[256];
  int err = cordon_drop_capabilities(why, sizeof why);
  if (err != 0) fail(EXIT_SETUP, "drop_caps", err, "%s", why);
}

static void stage_no_new_privs(void) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    int err = errno;
    fail(EXIT_SETUP, "no_new_privs", err, "prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(err));
  }
}

static const char *restrict_hint(int err) {
  switch (err) {
    case E2BIG: return " (already 16 stacked Landlock domains)";
    case EBADF: return " (not an open fd)";
    case EBADFD: return " (not a Landlock ruleset fd)";
    case EINVAL: return " (a flag this kernel does not know)";
    case EPERM: return " (no_new_privs unset and no CAP_SYS_ADMIN)";
    case ENOSYS: return " (kernel built without Landlock)";
    case EOPNOTSUPP: return " (Landlock disabled at boot)";
    default: return "";
  }
}

static void stage_restrict_self(const struct options *o, int emulated_abi) {
  /* Without a ruleset, flags alone (LOG_SUBDOMAINS_OFF) are still valid; nothing otherwise. */
  if (o->ruleset_fd < 0 && o->restrict_flags == 0) return;
  uint32_t flags = (uint32_t)o->restrict_flags;
  int err = 0;
  if (emulated_abi == 0) {
    err = ENOSYS;
  } else if (emulated_abi > 0 && (flags & ~cordon_restrict_flags_for_abi(emulated_abi)) != 0) {
    err = EINVAL;
  } else if (cordon_restrict_self(o->ruleset_fd, flags) != 0) {
    err = errno;
  }
  if (err != 0)
    fail(EXIT_SETUP, "restrict_self", err, "landlock_restrict_self(fd %d, flags 0x%x): %s%s", o->ruleset_fd, flags,
         strerror(err), restrict_hint(err));
  if (o->ruleset_fd >= 0) close(o->ruleset_fd);
}

/*
 * The seccomp filter (compiled by the TypeScript layer, read from --seccomp-fd)
 * goes on after the Landlock domain, so the filter never has to allow the
 * Landlock calls, and before inherited fds are closed and exec. A failure
 * never execs unfiltered.
 */
static void stage_seccomp(const struct options *o) {
  if (o->seccomp_fd < 0) return;
  char why[512];
  int err = cordon_seccomp_load_fd(o->seccomp_fd, why, sizeof why);
  if (err != 0) fail(EXIT_SETUP, "seccomp", err, "%s", why);
}

static int close_range_except(unsigned int keep) {
  long r;
  if (keep < 3 || keep == UINT_MAX) {
    r = syscall(__NR_close_range, 3U, ~0U, 0U);
  } else {
    r = keep > 3 ? syscall(__NR_close_range, 3U, keep - 1, 0U) : 0;
    if (r == 0) r = syscall(__NR_close_range, keep + 1, ~0U, 0U);
  }
  return r == 0 ? 0 : -1;
}

/* Fallback for kernels before 5.9: list /proc/self/fd first, then close. */
static int close_via_proc(int keep) {
  DIR *dir = opendir("/proc/self/fd");
  if (dir == NULL) return -1;
  int self = dirfd(dir);
  int fds[1024];
  int n = 0;
  for (;;) {
    n = 0;
    rewinddir(dir);
    struct dirent *e;
    while ((e = readdir(dir)) != NULL && n < (int)(sizeof fds / sizeof fds[0])) {
      if (!isdigit((unsigned char)e->d_name[0])) continue;
      int fd = atoi(e->d_name);
      if (fd >= 3 && fd != keep && fd != self) fds[n++] = fd;
    }
    for (int i = 0; i < n; i++) close(fds[i]);
    if (n < (int)(sizeof fds / sizeof fds[0])) break; /* everything seen in one pass */
  }
  closedir(dir);
  return 0;
}

/* Inherited fds keep the rights they were opened with: nothing is handed on but stdio. */
static void stage_close_fds(const struct options *o) {
  if (close_range_except((unsigned int)o->status_fd) == 0) return;
  int err = errno;
  if (err == ENOSYS && close_via_proc(o->status_fd) == 0) return;
  fail(EXIT_SETUP, "close_fds", err, "closing inherited file descriptors: %s", strerror(err));
}

static void stage_exec(char **command) {
  execvp(command[0], command);
  int err = errno;
  if (err == ENOENT || err == ENOTDIR)
    fail(EXIT_NOT_FOUND, "exec", err, "%s: command not found", command[0]);
  if (err == EACCES)
    fail(EXIT_NOT_EXECUTABLE, "exec", err,
         "%s: permission denied (not executable, or Landlock denies EXECUTE on it or its ELF interpreter)",
         command[0]);
  fail(EXIT_NOT_EXECUTABLE, "exec", err, "%s: cannot execute: %s", command[0], strerror(err));
}

int main(int argc, char **argv) {
  /* A kill-tree request that arrives during setup waits for the supervisor instead of killing us by its default action. */
  sigset_t kill_tree;
  sigemptyset(&kill_tree);
  sigaddset(&kill_tree, CORDON_KILL_TREE);
  sigprocmask(SIG_BLOCK, &kill_tree, &saved_mask);
  pid_t parent = getppid();
  in_foreground = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
  struct options o;
  parse_args(argc, argv, &o);
  stage_status_fd(&o);
  stage_cgroup(&o);
  stage_die_with_parent(&o, parent);
  int emulated_abi = override_abi();
  int listeners[2];
  int nlisteners = 0;
  stage_namespaces(&o, listeners, &nlisteners);
  stage_supervise(&o, parent, listeners, nlisteners);
  stage_mounts(&o);
  stage_rules(&o);
  stage_init(&o);
  stage_drop_caps(&o);
  stage_no_new_privs();
  stage_restrict_self(&o, emulated_abi);
  stage_seccomp(&o);
  stage_close_fds(&o);
  stage_exec(o.command);
  return EXIT_SETUP; /* not reached */
}
