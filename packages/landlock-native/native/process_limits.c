/*
 * Why these exist:
 * - A command must not outlive cordon: if cordon is SIGKILLed it cannot clean
 *   up, so the kernel kills the command instead (PR_SET_PDEATHSIG survives
 *   exec for non-setuid programs, and no_new_privs rules setuid out).
 * - Landlock does not cover metadata calls (chmod, chown, utime) and seccomp
 *   cannot see their paths; a command left with root's capabilities could
 *   chown or chmod any file it can name, reconfigure the network over netlink
 *   (CAP_NET_ADMIN) or set the clock. Without capabilities, uid 0 is limited
 *   to what file ownership gives it.
 */
#define _GNU_SOURCE
#include "process_limits.h"

#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int cordon_die_with_parent(pid_t parent, char *why, size_t cap) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) {
    int err = errno;
    snprintf(why, cap, "prctl(PR_SET_PDEATHSIG): %s", strerror(err));
    return err;
  }
  /* The parent may have died before the prctl: then no signal will ever come. */
  if (getppid() != parent) {
    snprintf(why, cap, "the cordon process (pid %d) exited before the command started", (int)parent);
    return ESRCH;
  }
  return 0;
}

static int last_cap(void) {
  FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
  int last = CAP_LAST_CAP;
  if (f != NULL) {
    if (fscanf(f, "%d", &last) != 1) last = CAP_LAST_CAP;
    fclose(f);
  }
  return last;
}

int cordon_drop_capabilities(char *why, size_t cap) {
  struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  memset(data, 0, sizeof data);
  if (syscall(SYS_capget, &header, data) != 0) {
    int err = errno;
    snprintf(why, cap, "capget: %s", strerror(err));
    return err;
  }
  int held = 0;
  for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) held |= data[i].permitted != 0 || data[i].effective != 0;
  (void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); /* EINVAL before Linux 4.3: nothing to clear */
  if (!held) return 0; /* an ordinary user: nothing to drop, and no CAP_SETPCAP to drop the bounding set with */
  /* Bounding set first: it needs CAP_SETPCAP, which the capset below gives up. */
  for (int c = 0; c <= last_cap(); c++) {
    if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0 && errno != EINVAL) {
      int err = errno;
      snprintf(why, cap, "prctl(PR_CAPBSET_DROP, %d): %s", c, strerror(err));
      return err;
    }
  }
  memset(data, 0, sizeof data);
  if (syscall(SYS_capset, &header, data) != 0) {
    int err = errno;
    snprintf(why, cap, "capset: %s", strerror(err));
    return err;
  }
  return 0;
}
