/*
 * Landlock kernel interface, defined locally up to the newest known ABI.
 *
 * Debian 12's <linux/landlock.h> stops at ABI 2 and its ruleset attr struct
 * cannot be extended, so everything here carries a CORDON_ prefix and never
 * includes the system header. Values: torvalds/linux include/uapi/linux/landlock.h.
 * Shared by the addon (C++), the launcher and the test probe (C).
 */
#ifndef CORDON_LANDLOCK_ABI_H
#define CORDON_LANDLOCK_ABI_H

#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif
#ifndef __NR_landlock_add_rule
#define __NR_landlock_add_rule 445
#endif
#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self 446
#endif

/* create_ruleset query flags (attr NULL, size 0). */
#define CORDON_CREATE_RULESET_VERSION (1U << 0)
#define CORDON_CREATE_RULESET_ERRATA (1U << 1)

/* Rule types for add_rule. */
#define CORDON_RULE_PATH_BENEATH 1
#define CORDON_RULE_NET_PORT 2

/* Filesystem rights (ABI 1: bits 0-12; 2: REFER; 3: TRUNCATE; 5: IOCTL_DEV; 9: RESOLVE_UNIX). */
#define CORDON_ACCESS_FS_EXECUTE (1ULL << 0)
#define CORDON_ACCESS_FS_WRITE_FILE (1ULL << 1)
#define CORDON_ACCESS_FS_READ_FILE (1ULL << 2)
#define CORDON_ACCESS_FS_READ_DIR (1ULL << 3)
#define CORDON_ACCESS_FS_REMOVE_DIR (1ULL << 4)
#define CORDON_ACCESS_FS_REMOVE_FILE (1ULL << 5)
#define CORDON_ACCESS_FS_MAKE_CHAR (1ULL << 6)
#define CORDON_ACCESS_FS_MAKE_DIR (1ULL << 7)
#define CORDON_ACCESS_FS_MAKE_REG (1ULL << 8)
#define CORDON_ACCESS_FS_MAKE_SOCK (1ULL << 9)
#define CORDON_ACCESS_FS_MAKE_FIFO (1ULL << 10)
#define CORDON_ACCESS_FS_MAKE_BLOCK (1ULL << 11)
#define CORDON_ACCESS_FS_MAKE_SYM (1ULL << 12)
#define CORDON_ACCESS_FS_REFER (1ULL << 13)
#define CORDON_ACCESS_FS_TRUNCATE (1ULL << 14)
#define CORDON_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#define CORDON_ACCESS_FS_RESOLVE_UNIX (1ULL << 16)

/* Network rights (ABI 4: TCP; 10: UDP). */
#define CORDON_ACCESS_NET_BIND_TCP (1ULL << 0)
#define CORDON_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#define CORDON_ACCESS_NET_BIND_UDP (1ULL << 2)
#define CORDON_ACCESS_NET_CONNECT_SEND_UDP (1ULL << 3)

/* Scopes (ABI 6). */
#define CORDON_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define CORDON_SCOPE_SIGNAL (1ULL << 1)

/* restrict_self flags (ABI 7: LOG_*; 8: TSYNC; 11: NO_NEW_PRIVS). */
#define CORDON_RESTRICT_SELF_LOG_SAME_EXEC_OFF (1U << 0)
#define CORDON_RESTRICT_SELF_LOG_NEW_EXEC_ON (1U << 1)
#define CORDON_RESTRICT_SELF_LOG_SUBDOMAINS_OFF (1U << 2)
#define CORDON_RESTRICT_SELF_TSYNC (1U << 3)
#define CORDON_RESTRICT_SELF_NO_NEW_PRIVS (1U << 4)

/* add_rule flags (ABI 10). */
#define CORDON_ADD_RULE_QUIET (1U << 0)

/*
 * The ruleset attr with every field up to ABI 10. Always zero-filled and sent
 * with its own sizeof: older kernels accept a larger struct whose tail is zero.
 */
struct cordon_ruleset_attr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
  uint64_t quiet_access_fs;
  uint64_t quiet_access_net;
  uint64_t quiet_scoped;
};

/* The kernel's path_beneath attr is packed to 12 bytes: build it byte-wise. */
#define CORDON_PATH_BENEATH_ATTR_SIZE 12
static inline void cordon_path_beneath_attr(unsigned char out[CORDON_PATH_BENEATH_ATTR_SIZE],
                                            uint64_t allowed_access, int32_t parent_fd) {
  memcpy(out, &allowed_access, sizeof allowed_access);
  memcpy(out + sizeof allowed_access, &parent_fd, sizeof parent_fd);
}

/* Port in host byte order (never htons). */
struct cordon_net_port_attr {
  uint64_t allowed_access;
  uint64_t port;
};

static inline long cordon_create_ruleset(const struct cordon_ruleset_attr *attr, size_t size,
                                         uint32_t flags) {
  return syscall(__NR_landlock_create_ruleset, attr, size, flags);
}

static inline long cordon_add_rule(int ruleset_fd, int rule_type, const void *rule_attr,
                                   uint32_t flags) {
  return syscall(__NR_landlock_add_rule, ruleset_fd, rule_type, rule_attr, flags);
}

static inline long cordon_restrict_self(int ruleset_fd, uint32_t flags) {
  return syscall(__NR_landlock_restrict_self, ruleset_fd, flags);
}

/* restrict_self flags a kernel of the given ABI knows (landlock.md section 1). */
static inline uint32_t cordon_restrict_flags_for_abi(int abi) {
  if (abi >= 11) return 0x1f;
  if (abi >= 8) return 0xf;
  if (abi >= 7) return 0x7;
  return 0;
}

#endif
