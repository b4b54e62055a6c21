/*
 * The supervisor: in namespace mode with a relay, the launcher forks. The
 * child goes on to restrict itself and exec the command (so the command has
 * no unexpected child of its own: a shell's `wait` never waits on the relay).
 * The parent stays outside Landlock and seccomp as a small poll loop that
 * relays proxy connections, forwards signals and exits with the command's
 * status.
 */
#ifndef CORDON_SUPERVISE_H
#define CORDON_SUPERVISE_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "relay.h"

/*
 * Before fork: the supervisor dies with its own parent (PR_SET_PDEATHSIG), and
 * the forwarded signals and SIGCHLD are blocked so none is lost before the
 * signalfd exists. *saved receives the mask to restore in the child.
 */
int cordon_supervise_prepare(pid_t expected_parent, sigset_t *saved, char *why, size_t why_cap);

/* In the child right after fork: dies with the supervisor, gets its signal mask back. */
int cordon_supervised_child(pid_t supervisor, const sigset_t *saved, char *why, size_t why_cap);

/* In the parent: relays and forwards until the child ends, then exits the same way. Never returns. */
__attribute__((noreturn)) void cordon_supervise(pid_t child, struct cordon_relay *relay);

#endif
