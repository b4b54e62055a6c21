/*
 * The supervisor: the launcher forks, the child goes on to exec the command,
 * the parent stays outside every restriction and
 * - relays the proxy connections (namespace mode with a relay, relay.c),
 * - forwards INT/TERM/HUP/QUIT/USR1/USR2 to the command,
 * - makes sure nothing the command started outlives it: as a child
 *   subreaper it reaps every orphan and, when the command ends (or cordon
 *   dies, or CORDON_KILL_TREE arrives), SIGKILLs every descendant and waits
 *   for them all before exiting; in a PID namespace the namespace's init does
 *   the reaping and its exit takes the whole namespace down (the kernel's own
 *   guarantee),
 * - exits the way the command did.
 */
#ifndef CORDON_SUPERVISE_H
#define CORDON_SUPERVISE_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "relay.h"

/*
 * "Kill the whole tree now": the supervisor's parent-death signal (so a
 * SIGKILLed cordon still gets everything killed) and what the sandbox sends
 * to end a run at once. Not forwarded to the command. SIGSTKFLT: unused by the
 * kernel and known to Node (which refuses real-time signals by number).
 */
#define CORDON_KILL_TREE SIGSTKFLT

enum cordon_supervisor_kind {
  /* Outside any PID namespace: child subreaper, kills every descendant itself. */
  CORDON_SUPERVISE_TREE,
  /* Parent of a PID namespace's init: killing the init kills the namespace. */
  CORDON_SUPERVISE_NAMESPACE,
  /* The init (PID 1) of the namespace: reaps everything, reports the command's status on a pipe. */
  CORDON_SUPERVISE_INIT,
};

/*
 * Before the fork: the parent-death signal (CORDON_KILL_TREE for a tree
 * supervisor, SIGKILL otherwise), checked against a parent that already
 * exited; subreaper for a tree supervisor; the handled signals blocked (the
 * old mask in *saved).
 */
int cordon_supervise_prepare(enum cordon_supervisor_kind kind, pid_t expected_parent, sigset_t *saved, char *why, size_t why_cap);

/* In the child right after fork: dies with the supervisor, gets its signal mask back. */
int cordon_supervised_child(pid_t supervisor, const sigset_t *saved, char *why, size_t why_cap);

/*
 * Relays, forwards and reaps until the command `child` ends, then exits the
 * same way (see the kinds). `status_pipe`: for INIT, where the command's wait
 * status goes; for NAMESPACE, where it is read from (-1: none). Never returns.
 */
__attribute__((noreturn)) void cordon_supervise(enum cordon_supervisor_kind kind, pid_t child, struct cordon_relay *relay,
                                                int status_pipe);

#endif
