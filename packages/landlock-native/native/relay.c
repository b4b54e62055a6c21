/* See relay.h. Each pair moves bytes both ways with one buffer per direction
 * and honours half-close (EOF one way becomes shutdown(SHUT_WR) on the other). */
#define _GNU_SOURCE
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define BUF_SIZE 32768
/* Beyond this many open pairs new connections are closed at once (the proxy has its own limit too). */
#define MAX_PAIRS 4096

struct pair {
  int fd[2]; /* 0: the accepted connection, 1: its target */
  /* Direction d carries bytes read from fd[d] and written to fd[1 - d]. */
  char buf[2][BUF_SIZE];
  size_t off[2], len[2];
  int eof[2], shut[2];
};

/* The proxy's two listeners, then up to two per local port (see cordon_relay_add). */
#define MAX_LISTENERS (2 + 2 * CORDON_RELAY_MAX_PORTS)

struct cordon_relay {
  int listeners[MAX_LISTENERS];
  int nlisteners;
  /* targets[i]: where connections accepted on listeners[i] go. */
  struct sockaddr_storage targets[MAX_LISTENERS];
  socklen_t target_lens[MAX_LISTENERS];
  struct pair **pairs;
  int npairs, cap;
  struct pollfd *set;
  int set_cap;
};

struct cordon_relay *cordon_relay_new(const int *listeners, int count, const char *socket_path) {
  struct cordon_relay *r = calloc(1, sizeof *r);
  if (r == NULL) return NULL;
  struct sockaddr_un target = {.sun_family = AF_UNIX};
  strncpy(target.sun_path, socket_path, sizeof target.sun_path - 1);
  socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(target.sun_path) + 1);
  for (int i = 0; i < count && i < 2; i++) cordon_relay_add(r, listeners[i], (const struct sockaddr *)&target, len);
  return r;
}

int cordon_relay_add(struct cordon_relay *r, int listener, const struct sockaddr *target, socklen_t len) {
  if (r->nlisteners >= MAX_LISTENERS || len > sizeof r->targets[0]) return -1;
  memcpy(&r->targets[r->nlisteners], target, len);
  r->target_lens[r->nlisteners] = len;
  r->listeners[r->nlisteners++] = listener;
  return 0;
}

static void close_pair(struct cordon_relay *r, int i) {
  struct pair *p = r->pairs[i];
  close(p->fd[0]);
  close(p->fd[1]);
  free(p);
  r->pairs[i] = r->pairs[--r->npairs];
}

/*
 * Every target is local (a unix socket served by cordon, or a loopback port inside the
 * namespace, which answers or refuses at once): a blocking connect is brief.
 */
static int connect_target(const struct cordon_relay *r, int i) {
  int fd = socket(r->targets[i].ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int rc;
  do rc = connect(fd, (const struct sockaddr *)&r->targets[i], r->target_lens[i]);
  while (rc != 0 && errno == EINTR);
  if (rc != 0 || fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static void accept_all(struct cordon_relay *r, int index) {
  int listener = r->listeners[index];
  for (;;) {
    int client = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (client < 0) return; /* EAGAIN, or a transient error: poll tells us when to retry */
    if (r->npairs >= MAX_PAIRS) {
      close(client);
      continue;
    }
    int upstream = connect_target(r, index);
    struct pair *p = upstream < 0 ? NULL : calloc(1, sizeof *p);
    if (r->npairs == r->cap) {
      int cap = r->cap ? r->cap * 2 : 16;
      struct pair **grown = realloc(r->pairs, (size_t)cap * sizeof *grown);
      if (grown != NULL) {
        r->pairs = grown;
        r->cap = cap;
      }
    }
    if (p == NULL || r->npairs == r->cap) {
      /* The proxy is gone or memory is short: the command sees a reset, never another destination. */
      free(p);
      if (upstream >= 0) close(upstream);
      close(client);
      continue;
    }
    p->fd[0] = client;
    p->fd[1] = upstream;
    r->pairs[r->npairs++] = p;
  }
}

/* Moves what it can in direction d without blocking; -1 when the pair is broken. */
static int pump(struct pair *p, int d) {
  for (;;) {
    if (p->len[d] == 0) {
      if (p->eof[d]) break;
      ssize_t n = recv(p->fd[d], p->buf[d], BUF_SIZE, MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
      if (n == 0) {
        p->eof[d] = 1;
        break;
      }
      p->off[d] = 0;
      p->len[d] = (size_t)n;
    }
    ssize_t w = send(p->fd[1 - d], p->buf[d] + p->off[d], p->len[d], MSG_DONTWAIT | MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    p->off[d] += (size_t)w;
    p->len[d] -= (size_t)w;
  }
  if (p->eof[d] && p->len[d] == 0 && !p->shut[d]) {
    shutdown(p->fd[1 - d], SHUT_WR);
    p->shut[d] = 1;
  }
  return 0;
}

struct pollfd *cordon_relay_poll_set(struct cordon_relay *r, int first, int *n) {
  int need = 1 + r->nlisteners + 2 * r->npairs;
  if (need > r->set_cap) {
    struct pollfd *grown = realloc(r->set, (size_t)need * sizeof *grown);
    if (grown == NULL) {
      /* Out of memory: poll only the supervisor's fd and the listeners this round. */
      need = 1 + r->nlisteners;
    } else {
      r->set = grown;
      r->set_cap = need;
    }
  }
  if (r->set == NULL) {
    static struct pollfd only;
    only = (struct pollfd){.fd = first, .events = POLLIN};
    *n = 1;
    return &only;
  }
  int k = 0;
  r->set[k++] = (struct pollfd){.fd = first, .events = POLLIN};
  for (int i = 0; i < r->nlisteners; i++) r->set[k++] = (struct pollfd){.fd = r->listeners[i], .events = POLLIN};
  for (int i = 0; k + 2 <= need && i < r->npairs; i++) {
    struct pair *p = r->pairs[i];
    for (int side = 0; side < 2; side++) {
      /* Read side when its buffer is empty; write side when the other direction has bytes waiting. */
      short ev = 0;
      if (!p->eof[side] && p->len[side] == 0) ev |= POLLIN;
      if (p->len[1 - side] > 0) ev |= POLLOUT;
      /* A negative fd is skipped by poll: an idle half-closed side cannot spin on POLLHUP. */
      r->set[k++] = (struct pollfd){.fd = ev ? p->fd[side] : -1, .events = ev};
    }
  }
  *n = k;
  return r->set;
}

void cordon_relay_step(struct cordon_relay *r, const struct pollfd *set, int n) {
  int k = 1;
  for (int i = 0; i < r->nlisteners && k < n; i++, k++) {
    if (set[k].revents) accept_all(r, i);
  }
  /* Pairs added by accept_all sit past the end of this poll set; they are polled next round. */
  int polled = (n - k) / 2;
  for (int i = polled - 1; i >= 0; i--) {
    if (i >= r->npairs) continue;
    if (!set[k + 2 * i].revents && !set[k + 2 * i + 1].revents) continue;
    struct pair *p = r->pairs[i];
    if (pump(p, 0) != 0 || pump(p, 1) != 0 || (p->shut[0] && p->shut[1])) close_pair(r, i);
  }
}
