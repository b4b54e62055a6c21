/*
 * Extra cordon-probe operations: socket families and protocols, io_uring,
 * ptrace, user namespaces, threads, foreign syscall ABIs. Each performs one
 * attempt and prints OK or the kernel's errno name (see probe.c).
 */
#define _GNU_SOURCE
#include "probe_net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
#ifndef __NR_clone3
#define __NR_clone3 435
#endif

static int say(long r) {
  if (r >= 0) {
    puts("OK");
  } else {
    const char *name = strerrorname_np(errno);
    puts(name ? name : "EUNKNOWN");
  }
  return 0;
}

static socklen_t loopback(int family, int port, struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof *ss);
  if (family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sizeof *a;
  }
  struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
  a->sin6_family = AF_INET6;
  a->sin6_port = htons((uint16_t)port);
  a->sin6_addr = in6addr_loopback;
  return sizeof *a;
}

/*
 * TIOCSTI pushes a byte into a terminal's input queue, as if typed: from a
 * sandbox, into the shell that started it. Uses a fresh pty so the test never
 * types into a real terminal; OK means the byte arrived on the other side.
 */
static int tiocsti_pty(void) {
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) return say(-1);
  const char *name = ptsname(master);
  int slave = name ? open(name, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) : -1;
  if (slave < 0) return say(-1);
  struct termios raw;
  if (tcgetattr(slave, &raw) != 0) return say(-1);
  cfmakeraw(&raw); /* no line discipline buffering: the byte is readable at once */
  if (tcsetattr(slave, TCSANOW, &raw) != 0) return say(-1);
  char c = 'x';
  if (ioctl(slave, TIOCSTI, &c) != 0) return say(-1);
  char got = 0;
  return say(read(slave, &got, 1) == 1 && got == 'x' ? 0 : -1);
}

/* The real attack: stdin is the terminal cordon was started from; type "x\n" into it and read it back. */
static int tiocsti_stdin(void) {
  const char *line = "x\n";
  for (const char *c = line; *c; c++)
    if (ioctl(0, TIOCSTI, c) != 0) return say(-1);
  char got[2] = {0, 0};
  return say(read(0, got, 2) == 2 && got[0] == 'x' ? 0 : -1);
}

static int make_socket(int family, int type, int proto) {
  return socket(family, type | SOCK_CLOEXEC, proto);
}

/* A DNS query for example.com A, as a resolver would send it. */
static const unsigned char dns_query[] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
                                          0x00, 7,    'e',  'x',  'a',  'm',  'p',  'l',  'e',  3,    'c',
                                          'o',  'm',  0,    0x00, 0x01, 0x00, 0x01};

static int udp_send(int family, int port, const void *data, size_t len) {
  int s = make_socket(family, SOCK_DGRAM, 0);
  if (s < 0) return say(-1);
  struct sockaddr_storage ss;
  socklen_t sl = loopback(family, port, &ss);
  return say(sendto(s, data, len, 0, (struct sockaddr *)&ss, sl));
}

static int stream_connect(int family, int proto, int port, const void *data, size_t len) {
  int s = make_socket(family, SOCK_STREAM, proto);
  if (s < 0) return say(-1);
  struct sockaddr_storage ss;
  socklen_t sl = loopback(family, port, &ss);
  if (connect(s, (struct sockaddr *)&ss, sl) != 0) return say(-1);
  return say(len ? write(s, data, len) : 0);
}

static int dns_tcp(int port) {
  unsigned char msg[2 + sizeof dns_query];
  msg[0] = 0;
  msg[1] = sizeof dns_query;
  memcpy(msg + 2, dns_query, sizeof dns_query);
  return stream_connect(AF_INET, 0, port, msg, sizeof msg);
}

static int io_uring(void) {
  unsigned char params[120]; /* struct io_uring_params; zeroed = defaults */
  memset(params, 0, sizeof params);
  long fd = syscall(__NR_io_uring_setup, 4, params);
  if (fd >= 0) close((int)fd);
  return say(fd);
}

static int ptrace_attach(pid_t pid) {
  long r = ptrace(PTRACE_ATTACH, pid, NULL, NULL);
  if (r == 0) {
    waitpid(pid, NULL, __WALL);
    ptrace(PTRACE_DETACH, pid, NULL, NULL);
  }
  return say(r);
}

/* Child side of a raw clone: exits at once. */
static int reap(long pid) {
  if (pid == 0) _exit(0);
  if (pid > 0) waitpid((pid_t)pid, NULL, __WALL);
  return say(pid);
}

static int clone_newuser(void) {
  return reap(syscall(SYS_clone, (unsigned long)(CLONE_NEWUSER | SIGCHLD), 0, 0, 0, 0));
}

static int clone3_plain(void) {
  struct clone_args args;
  memset(&args, 0, sizeof args);
  args.exit_signal = SIGCHLD;
  return reap(syscall(__NR_clone3, &args, sizeof args));
}

static void *thread_main(void *arg) { return arg; }

static int thread(void) {
  pthread_t t;
  int err = pthread_create(&t, NULL, thread_main, NULL);
  if (err != 0) {
    errno = err;
    return say(-1);
  }
  pthread_join(t, NULL);
  return say(0);
}

/* getpid through the i386 ABI (int 0x80, eax = 20): seccomp_data.arch is AUDIT_ARCH_I386. */
static int int80_getpid(void) {
#if defined(__x86_64__)
  long r = 20;
  __asm__ volatile("int $0x80" : "+a"(r) : : "memory");
  if (r < 0) {
    errno = (int)-r;
    return say(-1);
  }
  return say(0);
#else
  errno = ENOSYS;
  return say(-1);
#endif
}

/* getpid (39) through the x32 ABI (__X32_SYSCALL_BIT). */
static int x32_getpid(void) {
#if defined(__x86_64__)
  return say(syscall(0x40000000L | 39));
#else
  errno = ENOSYS;
  return say(-1);
#endif
}

/* Prints "mode=N filters=M" from /proc/self/status. */
static int seccomp_status(void) {
  FILE *f = fopen("/proc/self/status", "re");
  if (f == NULL) return say(-1);
  char line[256];
  int mode = -1, filters = 0;
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "Seccomp: %d", &mode) == 1) continue;
    sscanf(line, "Seccomp_filters: %d", &filters);
  }
  fclose(f);
  printf("mode=%d filters=%d\n", mode, filters);
  return 0;
}

static long num(const char *s) { return strtol(s, NULL, 0); }

static int read_fd(int fd) {
  char buf[16];
  return say(read(fd, buf, sizeof buf));
}

/* TCP connect to ADDR:PORT (IPv4 dotted quad). */
static int connect_addr(const char *addr, int port) {
  int s = make_socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) return say(-1);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, addr, &a.sin_addr) != 1) {
    errno = EINVAL;
    return say(-1);
  }
  return say(connect(s, (struct sockaddr *)&a, sizeof a));
}

static int unix_path_connect(const char *path) {
  int s = make_socket(AF_UNIX, SOCK_STREAM, 0);
  if (s < 0) return say(-1);
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  strncpy(a.sun_path, path, sizeof a.sun_path - 1);
  return say(connect(s, (struct sockaddr *)&a, sizeof a));
}

/* listen() on an unbound TCP socket: the kernel binds an ephemeral port itself. */
static int listen_autobind(void) {
  int s = make_socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) return say(-1);
  return say(listen(s, 1));
}

int probe_extra(const char *op, int argc, char **argv) {
  const char *a = argc > 0 ? argv[0] : NULL;
  if (strcmp(op, "raw4") == 0) return say(make_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
  if (strcmp(op, "ping4") == 0) return say(make_socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
  if (strcmp(op, "packet") == 0) return say(make_socket(AF_PACKET, SOCK_RAW, htons(0x0003 /* ETH_P_ALL */)));
  if (strcmp(op, "sctp4") == 0) return say(make_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP));
  if (strcmp(op, "io-uring") == 0) return io_uring();
  if (strcmp(op, "unshare-user") == 0) return say(unshare(CLONE_NEWUSER));
  if (strcmp(op, "clone-newuser") == 0) return clone_newuser();
  if (strcmp(op, "clone3") == 0) return clone3_plain();
  if (strcmp(op, "thread") == 0) return thread();
  if (strcmp(op, "int80-getpid") == 0) return int80_getpid();
  if (strcmp(op, "x32-getpid") == 0) return x32_getpid();
  if (strcmp(op, "seccomp-status") == 0) return seccomp_status();
  if (strcmp(op, "listen-autobind") == 0) return listen_autobind();
  if (strcmp(op, "tiocsti-pty") == 0) return tiocsti_pty();
  if (strcmp(op, "tiocsti-stdin") == 0) return tiocsti_stdin();
  if (a == NULL) return PROBE_UNKNOWN;
  if (strcmp(op, "socketpair") == 0) {
    int sv[2];
    return say(socketpair((int)num(a), SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
  }
  if (strcmp(op, "udp-send4") == 0) return udp_send(AF_INET, (int)num(a), "cordon-udp", 10);
  if (strcmp(op, "udp-send6") == 0) return udp_send(AF_INET6, (int)num(a), "cordon-udp", 10);
  if (strcmp(op, "dns-udp") == 0) return udp_send(AF_INET, (int)num(a), dns_query, sizeof dns_query);
  if (strcmp(op, "dns-tcp") == 0) return dns_tcp((int)num(a));
  if (strcmp(op, "mptcp4") == 0) return stream_connect(AF_INET, IPPROTO_MPTCP, (int)num(a), "cordon-mptcp", 12);
  if (strcmp(op, "mptcp6") == 0) return stream_connect(AF_INET6, IPPROTO_MPTCP, (int)num(a), "cordon-mptcp", 12);
  if (strcmp(op, "ptrace-attach") == 0) return ptrace_attach((pid_t)num(a));
  if (strcmp(op, "read-fd") == 0) return read_fd((int)num(a));
  if (strcmp(op, "unix-path-connect") == 0) return unix_path_connect(a);
  if (strcmp(op, "connect4-addr") == 0 && argc > 1) return connect_addr(a, (int)num(argv[1]));
  if (strcmp(op, "syscall") == 0) return say(syscall(num(a), 0L, 0L, 0L, 0L, 0L, 0L));
  if (argc < 3) return PROBE_UNKNOWN;
  if (strcmp(op, "socket") == 0) return say(make_socket((int)num(a), (int)num(argv[1]), (int)num(argv[2])));
  return PROBE_UNKNOWN;
}
