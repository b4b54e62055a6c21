/* See remove_tree.h. */
#define _GNU_SOURCE
#include "remove_tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Deep trees end with EMFILE (one fd per level): the rest stays, nothing outside is touched. */
static int remove_at(int dirfd, const char *name, int depth) {
  for (int attempt = 0; attempt < 8; attempt++) {
    if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT) return 0;
    if (errno != EISDIR && errno != EPERM) return errno;
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return 0;
      if (errno == ELOOP || errno == ENOTDIR) continue; /* swapped for a symlink or a file: unlink that */
      return errno;
    }
    DIR *dir = fdopendir(fd);
    if (dir == NULL) {
      int err = errno;
      close(fd);
      return err;
    }
    int err = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      int r = depth > 4096 ? ELOOP : remove_at(fd, e->d_name, depth + 1);
      if (r != 0 && err == 0) err = r;
    }
    closedir(dir);
    if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT) return err;
    if (errno == ENOTEMPTY && err == 0) continue; /* something was added meanwhile: go again */
    return err ? err : errno;
  }
  return EAGAIN;
}

int cordon_remove_tree_at(const char *parent, const char *name) {
  if (name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) return EINVAL;
  int dirfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0) return errno == ENOENT ? 0 : errno;
  int err = remove_at(dirfd, name, 0);
  close(dirfd);
  return err;
}
