/*
 * Removing a tree a sandboxed process could still touch: every step is
 * relative to a directory fd opened with O_NOFOLLOW, so a subdirectory
 * swapped for a symlink during the removal is unlinked as a symlink, never
 * followed. Plain C, shared by the addon.
 */
#ifndef CORDON_REMOVE_TREE_H
#define CORDON_REMOVE_TREE_H

#ifdef __cplusplus
extern "C" {
#endif

/* Removes `name` (one path component) inside the directory `parent` and everything below it. 0 or an errno (ENOENT is 0). */
int cordon_remove_tree_at(const char *parent, const char *name);

#ifdef __cplusplus
}
#endif

#endif
