/*
 * The mount side of namespace containment (see contain.c): everything outside
 * the writable paths read-only, masked paths, a fresh /proc for the PID
 * namespace, a private /dev/shm and devpts, and size-limited tmpfs mounts.
 * All need a private mount namespace (and CAP_SYS_ADMIN in its user
 * namespace); nothing here propagates to the host.
 */
#ifndef CORDON_CONTAIN_H
#define CORDON_CONTAIN_H

#include <stddef.h>

/*
 * Makes every mount read-only (recursively), then binds each existing path of
 * `writable` onto itself and makes that one mount writable again. Missing
 * writable paths are skipped.
 */
int cordon_read_only_except(const char *const *writable, int count, char *why, size_t why_cap);

/*
 * Covers each path: a directory with an empty read-only tmpfs, anything else
 * with an empty read-only file. Missing paths are skipped (nothing to hide).
 */
int cordon_mask_paths(const char *const *paths, int count, char *why, size_t why_cap);

/* A fresh procfs on /proc: only the processes of the caller's PID namespace. Call from inside it. */
int cordon_mount_proc(char *why, size_t why_cap);

/* A private tmpfs on /dev/shm (POSIX shared memory of this IPC namespace only), when /dev/shm exists. */
int cordon_mount_shm(unsigned long long size, char *why, size_t why_cap);

/* A new devpts instance on /dev/pts (and /dev/ptmx pointing into it): new terminals work, others are invisible. */
int cordon_mount_devpts(char *why, size_t why_cap);

/*
 * A private 0700 tmpfs of at most `size` bytes (0: the kernel default) on an existing directory;
 * the directory's existing top-level files and directories stay visible (bound into it).
 */
int cordon_mount_tmpfs(const char *path, unsigned long long size, char *why, size_t why_cap);

#endif
