/* See supervise.h. */
#define _GNU_SOURCE
#include "supervise.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the CLI forwards to the command (and SIGCHLD, to learn when it ends). */
static const int FORWARDED[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

static void handled_set(sigset_t *set) {
  sigemptyset(set);
  for (size_t i = 0; i < sizeof FORWARDED / sizeof FORWARDED[0]; i++) sigaddset(set, FORWARDED[i]);
  sigaddset(set, SIGCHLD);
  sigaddset(set, CORDON_KILL_TREE);
}

int cordon_supervise_prepare(enum cordon_supervisor_kind kind, pid_t expected_parent, sigset_t *saved, char *why, size_t why_cap) {
  sigset_t set;
  handled_set(&set);
  /* Blocked before the death signal is armed, so it cannot arrive unhandled. */
  if (sigprocmask(SIG_BLOCK, &set, saved) != 0) {
    int err = errno;
    snprintf(why, why_cap, "sigprocmask: %s", strerror(err));
    return err;
  }
  int deathsig = kind == CORDON_SUPERVISE_TREE ? CORDON_KILL_TREE : SIGKILL;
  if (prctl(PR_SET_PDEATHSIG, deathsig, 0, 0, 0) != 0) {
    int err = errno;
    snprintf(why, why_cap, "prctl(PR_SET_PDEATHSIG): %s", strerror(err));
    return err;
  }
  if (kind == CORDON_SUPERVISE_TREE && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    int err = errno;
    /* Every kernel since 3.4 has it; only an emulator (qemu-user) says EINVAL: go on, said loudly. */
    if (err != EINVAL) {
      snprintf(why, why_cap, "prctl(PR_SET_CHILD_SUBREAPER): %s", strerror(err));
      return err;
    }
    fprintf(stderr, "cordon-launcher: warning: PR_SET_CHILD_SUBREAPER is not supported here: orphans of the command are not reaped\n");
  }
  /* The parent may have died before the prctl: then no signal will ever come. */
  if (getppid() != expected_parent) {
    snprintf(why, why_cap, "the parent process exited before the sandbox started");
    return ESRCH;
  }
  return 0;
}

int cordon_supervised_child(pid_t supervisor, const sigset_t *saved, char *why, size_t why_cap) {
  /* A SIGKILLed supervisor takes the command with it; the mask is inherited across exec, so restore it. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || sigprocmask(SIG_SETMASK, saved, NULL) != 0) {
    int err = errno;
    snprintf(why, why_cap, "preparing the command process: %s", strerror(err));
    return err;
  }
  if (getppid() != supervisor) {
    snprintf(why, why_cap, "the supervisor exited before the command started");
    return ESRCH;
  }
  return 0;
}

/* Ends the way the command ended, so 128+N still means "killed by signal N" to the CLI. */
__attribute__((noreturn)) static void exit_like(int status) {
  if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
  int sig = WTERMSIG(status);
  struct rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core); /* the command may have dumped core; the supervisor must not */
  signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  raise(sig);
  _exit(128 + sig); /* a signal whose default is to be ignored */
}

/* The ppid of pid from /proc/PID/stat (after the last ')', the comm may hold anything), or -1. */
static pid_t parent_of(const char *pid) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%s/stat", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  char *end = strrchr(buf, ')');
  int ppid;
  char state;
  if (end == NULL || sscanf(end + 1, " %c %d", &state, &ppid) != 2) return -1;
  return ppid;
}

/* SIGKILLs every descendant of this process seen in /proc now. */
static void kill_descendants_once(void) {
  size_t cap = 256, n = 0;
  pid_t(*procs)[2] = malloc(cap * sizeof *procs); /* {pid, ppid} */
  DIR *dir = opendir("/proc");
  if (procs == NULL || dir == NULL) {
    free(procs);
    if (dir) closedir(dir);
    return;
  }
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    if (!isdigit((unsigned char)e->d_name[0])) continue;
    pid_t ppid = parent_of(e->d_name);
    if (ppid <= 0) continue;
    if (n == cap) {
      void *grown = realloc(procs, (cap *= 2) * sizeof *procs);
      if (grown == NULL) break;
      procs = grown;
    }
    procs[n][0] = (pid_t)atoi(e->d_name);
    procs[n][1] = ppid;
    n++;
  }
  closedir(dir);
  /* Mark descendants: ppid 0 marks "ours" (self's pid marks the roots). */
  pid_t self = getpid();
  int changed = 1;
  char *ours = calloc(n ? n : 1, 1);
  if (ours == NULL) {
    free(procs);
    return;
  }
  while (changed) {
    changed = 0;
    for (size_t i = 0; i < n; i++) {
      if (ours[i]) continue;
      int mine = procs[i][1] == self;
      for (size_t j = 0; !mine && j < n; j++) mine = ours[j] && procs[j][0] == procs[i][1];
      if (mine) ours[i] = changed = 1;
    }
  }
  for (size_t i = 0; i < n; i++)
    if (ours[i]) kill(procs[i][0], SIGKILL);
  free(ours);
  free(procs);
}

/*
 * Kills and reaps every descendant. A process forked between the scan and the
 * kill is orphaned by its parent's death, so it becomes our child (subreaper):
 * the next scan, after each reap, finds it. Ends when no child is left.
 */
static void kill_tree(void) {
  for (;;) {
    int status;
    /* No child left means no descendant left: every orphan is reparented to us. The usual case: no scan. */
    pid_t r = waitpid(-1, &status, WNOHANG);
    if (r > 0) continue;
    if (r < 0 && errno == ECHILD) return;
    if (r < 0 && errno != EINTR) return;
    kill_descendants_once();
    r = waitpid(-1, &status, 0);
    if (r < 0 && errno == ECHILD) return;
    if (r < 0 && errno != EINTR) return;
  }
}

/* The supervisor ends: for a tree, nothing may outlive it; an init reports the command's status first. */
__attribute__((noreturn)) static void finish(enum cordon_supervisor_kind kind, pid_t child, int status, int status_pipe) {
  if (kind == CORDON_SUPERVISE_TREE) kill_tree();
  if (kind == CORDON_SUPERVISE_INIT && status_pipe >= 0) {
    /* The parent outside needs the command's own status: an init cannot die by a signal it raises. */
    ssize_t ignored = write(status_pipe, &status, sizeof status);
    (void)ignored;
    _exit(0); /* the kernel now SIGKILLs everything left in the namespace before our parent sees us go */
  }
  exit_like(status);
}

/* A namespace's init reported the command's status before exiting: that, else the init's own. */
static int namespace_status(int status_pipe, int init_status) {
  int status;
  if (status_pipe >= 0 && read(status_pipe, &status, sizeof status) == (ssize_t)sizeof status) return status;
  return init_status;
}

void cordon_supervise(enum cordon_supervisor_kind kind, pid_t child, struct cordon_relay *relay, int status_pipe) {
  sigset_t set;
  handled_set(&set);
  int sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sigfd < 0) {
    /* Without it we cannot see the command end: take it down rather than hang. */
    fprintf(stderr, "cordon-launcher: signalfd: %s\n", strerror(errno));
    kill(child, SIGKILL);
    finish(kind, child, W_EXITCODE(125, 0), -1);
  }
  for (;;) {
    int n = 0;
    struct pollfd *fds = relay ? cordon_relay_poll_set(relay, sigfd, &n) : NULL;
    struct pollfd only = {.fd = sigfd, .events = POLLIN};
    if (fds == NULL) {
      fds = &only;
      n = 1;
    }
    if (poll(fds, (nfds_t)n, -1) < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "cordon-launcher: poll: %s\n", strerror(errno));
      kill(child, SIGKILL);
    }
    if (fds[0].revents) {
      struct signalfd_siginfo si;
      while (read(sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGCHLD) continue;
        if ((int)si.ssi_signo == CORDON_KILL_TREE) {
          /* cordon died (our parent-death signal) or asked for the end of the run. */
          if (kind == CORDON_SUPERVISE_INIT) continue; /* our parent outside decides, by killing us */
          kill(child, SIGKILL);
          if (kind == CORDON_SUPERVISE_NAMESPACE) {
            while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
            }
          }
          finish(kind, child, SIGKILL, -1);
        }
        /*
         * Forward what a process sent us (kill, sigqueue: si_code <= 0). A
         * terminal's ^C (SI_KERNEL) already reached the whole process group,
         * the command included; forwarding it would deliver it twice.
         */
        if (si.ssi_code <= 0) kill(child, (int)si.ssi_signo);
      }
      /* Reap everything: orphans come to us (subreaper, or init of the namespace). */
      for (;;) {
        int status;
        pid_t done = waitpid(-1, &status, WNOHANG);
        if (done <= 0) break;
        if (done != child) continue;
        if (kind == CORDON_SUPERVISE_NAMESPACE) status = namespace_status(status_pipe, status);
        finish(kind, child, status, status_pipe);
      }
    }
    if (relay && fds != &only) cordon_relay_step(relay, fds, n);
  }
}
