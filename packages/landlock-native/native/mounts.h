/*
 * Protected paths. Landlock only grants, so a path inside a writable tree
 * (.git/hooks in a writable project) cannot be denied by a rule. In a private
 * mount namespace it can be made read-only: a bind mount of the path onto
 * itself, remounted read-only. Nothing is created in the user's tree; the
 * mounts vanish with the namespace.
 */
#ifndef CORDON_MOUNTS_H
#define CORDON_MOUNTS_H

#include <stddef.h>

/* Makes every mount private (recursively) so nothing done here propagates to the host. */
int cordon_mounts_private(char *why, size_t why_cap);

/*
 * Bind-mounts an existing directory onto itself, writable: a mount point cannot
 * be renamed or removed (EBUSY), so a protected path's parent (.git for
 * .git/hooks) cannot be moved aside and replaced by a fresh, writable copy.
 */
int cordon_pin_path(const char *path, char *why, size_t why_cap);

/* Bind-mounts an existing path onto itself read-only. ENOENT when it no longer exists. */
int cordon_protect_path(const char *path, char *why, size_t why_cap);

#endif
