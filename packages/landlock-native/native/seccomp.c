/* See seccomp.h. Wire format: bytes / 8 instructions, host byte order. */
#define _GNU_SOURCE
#include "seccomp.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* One byte more than the largest program, to tell "too long" from "exactly full". */
#define MAX_BYTES (BPF_MAXINSNS * sizeof(struct sock_filter))

static struct sock_filter program[BPF_MAXINSNS + 1];

static ssize_t read_all(int fd, int seekable, char *buf, size_t cap) {
  size_t n = 0;
  while (n < cap) {
    ssize_t r = seekable ? pread(fd, buf + n, cap - n, (off_t)n) : read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) break;
    n += (size_t)r;
  }
  return (ssize_t)n;
}

int cordon_seccomp_load_fd(int fd, char *why, size_t why_cap) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    snprintf(why, why_cap, "--seccomp-fd %d: %s", fd, strerror(err));
    return err;
  }
  ssize_t n = read_all(fd, S_ISREG(st.st_mode), (char *)program, MAX_BYTES + 1);
  if (n < 0) {
    int err = errno;
    snprintf(why, why_cap, "reading the seccomp program from fd %d: %s", fd, strerror(err));
    return err;
  }
  close(fd);
  if ((size_t)n > MAX_BYTES) {
    snprintf(why, why_cap, "seccomp program on fd %d is longer than %d instructions", fd, BPF_MAXINSNS);
    return E2BIG;
  }
  if (n == 0 || (size_t)n % sizeof(struct sock_filter) != 0) {
    snprintf(why, why_cap, "seccomp program on fd %d is %zd bytes, not a whole number of %zu-byte instructions", fd,
             n, sizeof(struct sock_filter));
    return EINVAL;
  }
  struct sock_fprog prog = {(unsigned short)((size_t)n / sizeof(struct sock_filter)), program};
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0) {
    int err = errno;
    snprintf(why, why_cap, "prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, %u instructions): %s%s", prog.len,
             strerror(err), err == EINVAL ? " (the kernel rejected the program)" : "");
    return err;
  }
  return 0;
}
