/* See netns.h. */
#define _GNU_SOURCE
#include "netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  size_t len = strlen(text);
  ssize_t n = write(fd, text, len);
  int err = n == (ssize_t)len ? 0 : (n < 0 ? errno : EIO);
  close(fd);
  return err;
}

/*
 * A process cannot map ids beyond its own from inside its new user namespace
 * (that needs CAP_SETUID in the parent namespace). So root forks a helper that
 * stays in the parent namespace and writes the full identity map for it; the
 * helper is reaped before this returns, so no stray child is left.
 */
static int map_root_from_helper(int clone_flags, int *unshare_err) {
  int go[2];
  if (pipe2(go, O_CLOEXEC) != 0) return errno;
  pid_t target = getpid();
  pid_t helper = fork();
  if (helper < 0) {
    int err = errno;
    close(go[0]);
    close(go[1]);
    return err;
  }
  if (helper == 0) {
    close(go[1]);
    char c;
    if (read(go[0], &c, 1) != 1) _exit(0); /* unshare failed: nothing to map */
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/uid_map", (int)target);
    int err = write_file(path, "0 0 4294967295\n");
    snprintf(path, sizeof path, "/proc/%d/gid_map", (int)target);
    if (err == 0) err = write_file(path, "0 0 4294967295\n");
    _exit(err);
  }
  close(go[0]);
  *unshare_err = unshare(clone_flags | CLONE_NEWUSER) == 0 ? 0 : errno;
  if (*unshare_err == 0) {
    ssize_t ignored = write(go[1], "1", 1);
    (void)ignored;
  }
  close(go[1]);
  int status = 0;
  while (waitpid(helper, &status, 0) < 0 && errno == EINTR) {
  }
  if (*unshare_err != 0) return 0;
  return WIFEXITED(status) ? WEXITSTATUS(status) : EIO;
}

int cordon_unshare(int clone_flags, char *why, size_t why_cap) {
  uid_t uid = geteuid();
  gid_t gid = getegid();
  /*
   * Always a user namespace first, root included: the new namespaces are then
   * owned by it, so the command holds no capability over the host's network
   * namespace (root could otherwise move a veth end into it through
   * NETLINK_ROUTE). Root without user namespaces still gets the namespaces.
   */
  if (uid == 0) {
    int unshare_err = 0;
    int err = map_root_from_helper(clone_flags, &unshare_err);
    if (unshare_err == 0 && err != 0) {
      snprintf(why, why_cap, "writing the id maps of the new user namespace: %s", strerror(err));
      return err;
    }
    if (unshare_err == 0) return 0;
    if (unshare(clone_flags) == 0) return 0;
    err = errno;
    snprintf(why, why_cap, "unshare(%s%s): %s", (clone_flags & CLONE_NEWNET) ? "CLONE_NEWNET" : "",
             (clone_flags & CLONE_NEWNS) ? "|CLONE_NEWNS" : "", strerror(err));
    return err;
  }
  if (unshare(clone_flags | CLONE_NEWUSER) != 0) {
    int err = errno;
    snprintf(why, why_cap, "unshare(CLONE_NEWUSER%s%s): %s%s", (clone_flags & CLONE_NEWNET) ? "|CLONE_NEWNET" : "",
             (clone_flags & CLONE_NEWNS) ? "|CLONE_NEWNS" : "", strerror(err),
             err == EPERM || err == ENOSPC
                 ? " (unprivileged user namespaces are disabled here: kernel.unprivileged_userns_clone, "
                   "user.max_user_namespaces or an AppArmor/LSM policy)"
                 : "");
    return err;
  }
  /* An unprivileged process may map exactly its own ids; gid_map needs setgroups denied first. */
  char map[64];
  const char *what = "/proc/self/setgroups";
  int err = write_file(what, "deny");
  if (err == 0) {
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned)uid, (unsigned)uid);
    err = write_file(what = "/proc/self/uid_map", map);
  }
  if (err == 0) {
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned)gid, (unsigned)gid);
    err = write_file(what = "/proc/self/gid_map", map);
  }
  if (err != 0) snprintf(why, why_cap, "writing %s in the new user namespace: %s", what, strerror(err));
  return err;
}

int cordon_loopback_up(char *why, size_t why_cap) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    int err = errno;
    snprintf(why, why_cap, "socket(AF_INET) for bringing up lo: %s", strerror(err));
    return err;
  }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  int err = 0;
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) {
    err = errno;
  } else {
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0) err = errno;
  }
  close(fd);
  if (err != 0) snprintf(why, why_cap, "bringing up lo in the new network namespace: %s", strerror(err));
  return err;
}

static int listen_on(int family, const void *addr, socklen_t len, int *out) {
  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  int one = 1;
  if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, addr, len) != 0 || listen(fd, 128) != 0) {
    int err = errno;
    close(fd);
    return err;
  }
  *out = fd;
  return 0;
}

int cordon_listen_loopback(int port, int fds[2], int *count, char *why, size_t why_cap) {
  *count = 0;
  struct sockaddr_in v4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  v4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int err = listen_on(AF_INET, &v4, sizeof v4, &fds[0]);
  if (err != 0) {
    snprintf(why, why_cap, "listening on 127.0.0.1:%d in the new network namespace: %s", port, strerror(err));
    return err;
  }
  *count = 1;
  struct sockaddr_in6 v6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port), .sin6_addr = IN6ADDR_LOOPBACK_INIT};
  err = listen_on(AF_INET6, &v6, sizeof v6, &fds[1]);
  if (err == 0) {
    *count = 2;
  } else if (err != EAFNOSUPPORT && err != EADDRNOTAVAIL) {
    /* No IPv6 at all is fine (the proxy variables name 127.0.0.1); any other failure is not. */
    close(fds[0]);
    *count = 0;
    snprintf(why, why_cap, "listening on [::1]:%d in the new network namespace: %s", port, strerror(err));
    return err;
  }
  return 0;
}
