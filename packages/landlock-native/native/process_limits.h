/* Process-level limits the launcher applies to the command: dying with the
 * cordon process, and shedding root's capabilities. */
#ifndef CORDON_PROCESS_LIMITS_H
#define CORDON_PROCESS_LIMITS_H

#include <stddef.h>
#include <sys/types.h>

/* SIGKILL when `parent` goes away (checked once more against the race with its exit). 0 or an errno. */
int cordon_die_with_parent(pid_t parent, char *why, size_t cap);

/* Empties the ambient, bounding, inheritable, permitted and effective capability sets. 0 or an errno. */
int cordon_drop_capabilities(char *why, size_t cap);

#endif
