/*
 * Namespaces for the launcher. Landlock's TCP rules match the port only, so a
 * sandbox allowed to reach the proxy port could reach ANY host on that port.
 * A new network namespace with only loopback closes that: the command can
 * reach nothing but listeners created inside it (the relay's), and nothing
 * inside it routes anywhere.
 */
#ifndef CORDON_NETNS_H
#define CORDON_NETNS_H

#include <stddef.h>

/*
 * Unshares the namespaces in clone_flags (CLONE_NEWNET and/or CLONE_NEWNS).
 * As root the namespaces are created directly; otherwise a user namespace
 * comes first, mapping only the caller's uid and gid onto themselves (the
 * command keeps its identity and, after exec, holds no capabilities).
 * Returns 0, or an errno with a reason in why.
 */
int cordon_unshare(int clone_flags, char *why, size_t why_cap);

/* Brings up "lo" in the current (new) network namespace. */
int cordon_loopback_up(char *why, size_t why_cap);

/*
 * Listens on 127.0.0.1:port and, when IPv6 exists here, [::1]:port
 * (non-blocking, close-on-exec). fds receives up to 2 sockets; *count how many.
 */
int cordon_listen_loopback(int port, int fds[2], int *count, char *why, size_t why_cap);

#endif
