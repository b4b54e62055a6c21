/*
 * Loads a seccomp BPF program handed over on an fd (the launcher's
 * --seccomp-fd). The program is compiled in TypeScript (src/seccomp); C only
 * reads and installs it, so no policy lives here.
 */
#ifndef CORDON_SECCOMP_H
#define CORDON_SECCOMP_H

#include <stddef.h>

/*
 * Reads the raw struct sock_filter array from fd (pread from offset 0 for a
 * regular file or memfd, read to EOF otherwise), installs it with
 * PR_SET_SECCOMP/SECCOMP_MODE_FILTER (no_new_privs must already be set) and
 * closes fd. Returns 0, or an errno with a human-readable reason in why.
 */
int cordon_seccomp_load_fd(int fd, char *why, size_t why_cap);

#endif
