/* See mounts.h. Needs CLONE_NEWNS (and CAP_SYS_ADMIN in its user namespace) first. */
#define _GNU_SOURCE
#include "mounts.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

int cordon_mounts_private(char *why, size_t why_cap) {
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0) return 0;
  int err = errno;
  snprintf(why, why_cap, "making / a private mount tree: %s", strerror(err));
  return err;
}

/*
 * In a user namespace the kernel refuses (EPERM) a remount that would clear a
 * flag the original mount had locked (nosuid, nodev, noexec, atime), so the
 * read-only remount carries them over.
 */
static unsigned long kept_flags(const char *path) {
  struct statvfs st;
  if (statvfs(path, &st) != 0) return 0;
  unsigned long f = 0;
  if (st.f_flag & ST_NOSUID) f |= MS_NOSUID;
  if (st.f_flag & ST_NODEV) f |= MS_NODEV;
  if (st.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
  if (st.f_flag & ST_NOATIME) f |= MS_NOATIME;
  if (st.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
  if (st.f_flag & ST_RELATIME) f |= MS_RELATIME;
  return f;
}

int cordon_pin_path(const char *path, char *why, size_t why_cap) {
  if (mount(path, path, NULL, MS_BIND, NULL) == 0) return 0;
  int err = errno;
  snprintf(why, why_cap, "pinning %s: bind mount: %s", path, strerror(err));
  return err;
}

int cordon_protect_path(const char *path, char *why, size_t why_cap) {
  if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) != 0) {
    int err = errno;
    snprintf(why, why_cap, "protecting %s: bind mount: %s", path, strerror(err));
    return err;
  }
  if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | kept_flags(path), NULL) != 0) {
    int err = errno;
    snprintf(why, why_cap, "protecting %s: read-only remount: %s", path, strerror(err));
    return err;
  }
  return 0;
}
