/* See supervise.h. */
#define _GNU_SOURCE
#include "supervise.h"

#include <errno.h>
#include <stdio.h>
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
}

int cordon_supervise_prepare(pid_t expected_parent, sigset_t *saved, char *why, size_t why_cap) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) {
    int err = errno;
    snprintf(why, why_cap, "prctl(PR_SET_PDEATHSIG): %s", strerror(err));
    return err;
  }
  /* The parent may have died before the prctl: then nobody would ever kill us. */
  if (getppid() != expected_parent) {
    snprintf(why, why_cap, "the parent process exited before the sandbox started");
    return ESRCH;
  }
  sigset_t set;
  handled_set(&set);
  if (sigprocmask(SIG_BLOCK, &set, saved) != 0) {
    int err = errno;
    snprintf(why, why_cap, "sigprocmask: %s", strerror(err));
    return err;
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

void cordon_supervise(pid_t child, struct cordon_relay *relay) {
  sigset_t set;
  handled_set(&set);
  int sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sigfd < 0) {
    /* Without it we cannot see the command end: take it down rather than hang. */
    fprintf(stderr, "cordon-launcher: signalfd: %s\n", strerror(errno));
    kill(child, SIGKILL);
    int status;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    _exit(125);
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
        /*
         * Forward what a process sent us (kill, sigqueue: si_code <= 0). A
         * terminal's ^C (SI_KERNEL) already reached the whole process group,
         * the command included; forwarding it would deliver it twice.
         */
        if (si.ssi_code <= 0) kill(child, (int)si.ssi_signo);
      }
      int status;
      pid_t done = waitpid(child, &status, WNOHANG);
      if (done == child) exit_like(status);
    }
    if (relay && fds != &only) cordon_relay_step(relay, fds, n);
  }
}
