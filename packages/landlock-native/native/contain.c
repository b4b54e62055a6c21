/* See contain.h. Uses the new mount API (fsopen, open_tree, move_mount, mount_setattr: Linux 5.12+). */
#define _GNU_SOURCE
#include "contain.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static int failed(char *why, size_t why_cap, const char *what, const char *path) {
  int err = errno;
  snprintf(why, why_cap, "%s %s: %s", what, path, strerror(err));
  return err;
}

int cordon_read_only_except(const char *const *writable, int count, char *why, size_t why_cap) {
  struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
  if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof ro) != 0)
    return failed(why, why_cap, "making every mount read-only:", "mount_setattr(/)");
  struct mount_attr rw = {.attr_clr = MOUNT_ATTR_RDONLY};
  for (int i = 0; i < count; i++) {
    const char *path = writable[i];
    /* A device node (/dev/null, /dev/tty) stays on the read-only mount: the kernel opens special files
     * for writing there all the same, while chmod/utime/xattrs of the host's node get EROFS. */
    struct stat st;
    if (stat(path, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) continue;
    /* A bind of the path onto itself is a mount of its own, whose read-only flag can be cleared alone. */
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) != 0) {
      if (errno == ENOENT) continue;
      return failed(why, why_cap, "keeping writable: bind mount of", path);
    }
    if (mount_setattr(AT_FDCWD, path, 0, &rw, sizeof rw) != 0) return failed(why, why_cap, "keeping writable: mount_setattr of", path);
  }
  return 0;
}

/* A detached, empty tmpfs (no mount point needed); read-only when asked. */
static int empty_tmpfs(int read_only, char *why, size_t why_cap) {
  int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0) return -failed(why, why_cap, "masking:", "fsopen(tmpfs)");
  int err = 0;
  if (fsconfig(fs, FSCONFIG_SET_STRING, "size", "4k", 0) != 0 || fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0555", 0) != 0 ||
      fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) != 0)
    err = failed(why, why_cap, "masking:", "configuring a tmpfs");
  int mnt = err ? -1 : fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | (read_only ? MOUNT_ATTR_RDONLY : 0));
  if (!err && mnt < 0) err = failed(why, why_cap, "masking:", "fsmount(tmpfs)");
  close(fs);
  return err ? -err : mnt;
}

int cordon_mask_paths(const char *const *paths, int count, char *why, size_t why_cap) {
  int files = -1; /* one writable detached tmpfs holding the empty file that covers masked files */
  int err = 0;
  for (int i = 0; i < count && err == 0; i++) {
    const char *path = paths[i];
    struct stat st;
    if (stat(path, &st) != 0) {
      if (errno == ENOENT) continue;
      err = failed(why, why_cap, "masking: stat", path);
      break;
    }
    int cover;
    if (S_ISDIR(st.st_mode)) {
      cover = empty_tmpfs(1, why, why_cap);
      if (cover < 0) {
        err = -cover;
        break;
      }
    } else {
      if (files < 0) {
        files = empty_tmpfs(0, why, why_cap);
        if (files < 0) {
          err = -files;
          break;
        }
        int f = openat(files, "empty", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0444);
        if (f < 0) {
          err = failed(why, why_cap, "masking:", "creating the empty file");
          break;
        }
        close(f);
      }
      cover = open_tree(files, "empty", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
      struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
      if (cover < 0 || mount_setattr(cover, "", AT_EMPTY_PATH, &ro, sizeof ro) != 0) {
        err = failed(why, why_cap, "masking: an empty read-only file for", path);
        if (cover >= 0) close(cover);
        break;
      }
    }
    if (move_mount(cover, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) != 0) err = failed(why, why_cap, "masking", path);
    close(cover);
  }
  if (files >= 0) close(files);
  return err;
}

int cordon_mount_proc(char *why, size_t why_cap) {
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0) return 0;
  int err = failed(why, why_cap, "mounting a fresh procfs on", "/proc");
  if (err == EPERM)
    snprintf(why + strlen(why), why_cap - strlen(why),
             " (the kernel refuses a new procfs in a user namespace when parts of the host's /proc are covered by other mounts)");
  return err;
}

static int mount_tmpfs(const char *path, const char *mode, unsigned long long size, char *why, size_t why_cap) {
  char data[64];
  if (size > 0) snprintf(data, sizeof data, "mode=%s,size=%llu", mode, size);
  else snprintf(data, sizeof data, "mode=%s", mode);
  if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, data) == 0) return 0;
  return failed(why, why_cap, "mounting a private tmpfs on", path);
}

int cordon_mount_shm(unsigned long long size, char *why, size_t why_cap) {
  struct stat st;
  if (stat("/dev/shm", &st) != 0 || !S_ISDIR(st.st_mode)) return 0;
  return mount_tmpfs("/dev/shm", "1777", size, why, why_cap);
}

/*
 * What the caller already put in the directory (cordon's TLS inspection CA, for one) stays visible:
 * each top-level entry of the directory underneath is bound onto a placeholder in the new tmpfs.
 */
static int keep_entries(int under, const char *path, char *why, size_t why_cap) {
  int dup_fd = dup(under);
  DIR *dir = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
  if (dir == NULL) {
    if (dup_fd >= 0) close(dup_fd);
    return failed(why, why_cap, "listing the directory under the tmpfs", path);
  }
  int top = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int err = top < 0 ? failed(why, why_cap, "opening the new tmpfs", path) : 0;
  struct dirent *e;
  while (err == 0 && (e = readdir(dir)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    struct stat st;
    if (fstatat(under, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      if (mkdirat(top, e->d_name, 0700) != 0) err = failed(why, why_cap, "keeping in the tmpfs:", e->d_name);
    } else if (S_ISREG(st.st_mode)) {
      int f = openat(top, e->d_name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
      if (f < 0) err = failed(why, why_cap, "keeping in the tmpfs:", e->d_name);
      else close(f);
    } else {
      continue; /* symlinks, sockets, devices: not carried over */
    }
    if (err != 0) break;
    int tree = open_tree(under, e->d_name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_SYMLINK_NOFOLLOW);
    if (tree < 0 || move_mount(tree, "", top, e->d_name, MOVE_MOUNT_F_EMPTY_PATH) != 0) err = failed(why, why_cap, "keeping in the tmpfs:", e->d_name);
    if (tree >= 0) close(tree);
  }
  closedir(dir);
  if (top >= 0) close(top);
  return err;
}

int cordon_mount_tmpfs(const char *path, unsigned long long size, char *why, size_t why_cap) {
  int under = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (under < 0) return failed(why, why_cap, "mounting a private tmpfs on", path);
  int err = mount_tmpfs(path, "0700", size, why, why_cap);
  if (err == 0) err = keep_entries(under, path, why, why_cap);
  close(under);
  return err;
}

int cordon_mount_devpts(char *why, size_t why_cap) {
  struct stat st;
  if (stat("/dev/pts", &st) != 0 || !S_ISDIR(st.st_mode)) return 0;
  /* No gid= option: the tty group is usually not mapped into an unprivileged user namespace. */
  if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620") != 0)
    return failed(why, why_cap, "mounting a new devpts instance on", "/dev/pts");
  /* /dev/ptmx is either a symlink to pts/ptmx (nothing to do) or the host's multiplexer: cover it. */
  if (lstat("/dev/ptmx", &st) == 0 && S_ISCHR(st.st_mode) && mount("/dev/pts/ptmx", "/dev/ptmx", NULL, MS_BIND, NULL) != 0)
    return failed(why, why_cap, "binding the new /dev/pts/ptmx onto", "/dev/ptmx");
  return 0;
}
