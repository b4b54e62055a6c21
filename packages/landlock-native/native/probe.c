/*
 * cordon-probe: test helper. Performs exactly one operation and prints the
 * kernel's answer as an errno name (EACCES, EXDEV, ...) or OK, so tests assert
 * what the kernel really did. Exit status 0 either way; 2 on a usage error.
 *
 *   read P | write P | creat P | truncate P | readdir P | mkdir P | rmdir P
 *   unlink P | rename A B | link A B | connect4 PORT | connect6 PORT
 *   bind4 PORT | bind6 PORT | unix-connect NAME (abstract, NUL-padded like Node)
 *   kill PID
 *   exec PATH [ARGS...] | fds | noop | ruleset-exec CMD [ARGS...]
 *   socket FAMILY TYPE PROTO | socketpair FAMILY | udp-send4 PORT | udp-send6 PORT
 *   dns-udp PORT | dns-tcp PORT | mptcp4 PORT | mptcp6 PORT | raw4 | ping4
 *   packet | sctp4 | io-uring | ptrace-attach PID | unshare-user
 *   clone-newuser | clone3 | thread | syscall NR (all six args 0)
 *   int80-getpid (x86_64: an i386-ABI syscall) | x32-getpid | seccomp-status
 *   read-fd FD | connect4-addr ADDR PORT | unix-path-connect PATH | listen-autobind
 *   deny-landlock ENOSYS|EPERM|EOPNOTSUPP CMD [ARGS...]
 *
 * ruleset-exec creates a fresh ruleset (handling MAKE_BLOCK only, which
 * nothing here needs), puts it on fd 3 and execs CMD: used to nest launchers.
 * deny-landlock installs a seccomp filter making the three Landlock syscalls
 * fail with the given errno, then execs CMD: a kernel without Landlock (ENOSYS)
 * or a container that blocks it (EPERM), on this machine.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <sys/shm.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "landlock_abi.h"
#include "probe_net.h"

static int report(int r) {
  if (r == 0) {
    puts("OK");
  } else {
    const char *name = strerrorname_np(errno);
    puts(name ? name : "EUNKNOWN");
  }
  return 0;
}

static int ok_or_errno(long r) { return report(r < 0 ? -1 : 0); }

static int do_read(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return report(-1);
  char buf[16];
  ssize_t n = read(fd, buf, sizeof buf);
  int err = errno;
  close(fd);
  errno = err;
  return ok_or_errno(n);
}

static int do_write(const char *path) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return report(-1);
  ssize_t n = write(fd, "x", 1);
  int err = errno;
  close(fd);
  errno = err;
  return ok_or_errno(n);
}

static int do_creat(const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd >= 0) close(fd);
  return ok_or_errno(fd);
}

static int do_readdir(const char *path) {
  DIR *d = opendir(path);
  if (d == NULL) return report(-1);
  closedir(d);
  return report(0);
}

static int inet(int family, int do_bind, const char *port_text) {
  int port = atoi(port_text);
  int s = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return report(-1);
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  socklen_t len;
  if (family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof *a;
  } else {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    a->sin6_addr = in6addr_loopback;
    len = sizeof *a;
  }
  int r = do_bind ? bind(s, (struct sockaddr *)&ss, len) : connect(s, (struct sockaddr *)&ss, len);
  return report(r);
}

static int unix_connect(const char *name) {
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return report(-1);
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  size_t n = strlen(name);
  if (n + 1 > sizeof a.sun_path) n = sizeof a.sun_path - 1;
  memcpy(a.sun_path + 1, name, n); /* leading NUL: abstract namespace */
  /* Node 20 binds abstract names with the whole NUL-padded sun_path: match it. */
  return report(connect(s, (struct sockaddr *)&a, (socklen_t)sizeof a));
}

/* Prints the open fds >= 3 (comma-separated) or "none". */
static int list_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (d == NULL) return report(-1);
  int self = dirfd(d);
  int first = 1;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    int fd = atoi(e->d_name);
    if (fd < 3 || fd == self) continue;
    printf(first ? "%d" : ",%d", fd);
    first = 0;
  }
  closedir(d);
  puts(first ? "none" : "");
  return 0;
}

static int ruleset_exec(char **argv) {
  struct cordon_ruleset_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.handled_access_fs = CORDON_ACCESS_FS_MAKE_BLOCK;
  long fd = cordon_create_ruleset(&attr, sizeof attr, 0);
  if (fd < 0) return report(-1);
  /* Ruleset fds are born close-on-exec: dup2 clears it, or clear it by hand. */
  if (fd != 3 ? dup2((int)fd, 3) < 0 : fcntl(3, F_SETFD, 0) < 0) return report(-1);
  fflush(stdout);
  execvp(argv[0], argv);
  return report(-1);
}

static int deny_landlock(const char *errno_text, char **argv) {
  int err = strcmp(errno_text, "ENOSYS") == 0 ? ENOSYS
            : strcmp(errno_text, "EPERM") == 0 ? EPERM
            : strcmp(errno_text, "EOPNOTSUPP") == 0 ? EOPNOTSUPP
                                                   : 0;
  if (err == 0 || argv[0] == NULL) {
    fprintf(stderr, "cordon-probe: deny-landlock ENOSYS|EPERM|EOPNOTSUPP CMD [ARGS...]\n");
    return 2;
  }
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, __NR_landlock_create_ruleset, 0, 2),
      BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, __NR_landlock_restrict_self, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)err),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {(unsigned short)(sizeof filter / sizeof filter[0]), filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
    return report(-1);
  execvp(argv[0], argv);
  return report(-1);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: cordon-probe OP [ARGS...]\n");
    return 2;
  }
  const char *op = argv[1];
  const char *a = argc > 2 ? argv[2] : NULL;
  const char *b = argc > 3 ? argv[3] : NULL;
  setvbuf(stdout, NULL, _IONBF, 0);

  if (strcmp(op, "noop") == 0) return report(0);
  int extra = probe_extra(op, argc - 2, argv + 2);
  if (extra != PROBE_UNKNOWN) return extra;
  if (strcmp(op, "fds") == 0) return list_fds();
  if (a == NULL) goto usage;
  if (strcmp(op, "read") == 0) return do_read(a);
  if (strcmp(op, "write") == 0) return do_write(a);
  if (strcmp(op, "creat") == 0) return do_creat(a);
  if (strcmp(op, "truncate") == 0) return report(truncate(a, 0));
  if (strcmp(op, "readdir") == 0) return do_readdir(a);
  if (strcmp(op, "mkdir") == 0) return report(mkdir(a, 0755));
  if (strcmp(op, "rmdir") == 0) return report(rmdir(a));
  if (strcmp(op, "unlink") == 0) return report(unlink(a));
  if (strcmp(op, "connect4") == 0) return inet(AF_INET, 0, a);
  if (strcmp(op, "connect6") == 0) return inet(AF_INET6, 0, a);
  if (strcmp(op, "bind4") == 0) return inet(AF_INET, 1, a);
  if (strcmp(op, "bind6") == 0) return inet(AF_INET6, 1, a);
  if (strcmp(op, "unix-connect") == 0) return unix_connect(a);
  if (strcmp(op, "kill") == 0) return report(kill((pid_t)atoi(a), 0));
  if (strcmp(op, "chmod") == 0) return report(chmod(a, 0600)); /* no set-id bit: seccomp denies those */
  if (strcmp(op, "utime") == 0) return report(utimes(a, NULL));
  if (strcmp(op, "setxattr") == 0) return report(setxattr(a, "user.cordon", "1", 1, 0));
  if (strcmp(op, "shmat") == 0) {
    void *p = shmat(atoi(a), NULL, SHM_RDONLY);
    if (p == (void *)-1) return report(-1);
    shmdt(p);
    return report(0);
  }
  if (strcmp(op, "exec") == 0) {
    execv(a, argv + 2);
    return report(-1);
  }
  if (strcmp(op, "ruleset-exec") == 0) return ruleset_exec(argv + 2);
  if (strcmp(op, "deny-landlock") == 0) return deny_landlock(a, argv + 3);
  if (b == NULL) goto usage;
  if (strcmp(op, "rename") == 0) return report(rename(a, b));
  if (strcmp(op, "link") == 0) return report(link(a, b));
usage:
  fprintf(stderr, "cordon-probe: bad operation or missing argument: %s\n", op);
  return 2;
}
