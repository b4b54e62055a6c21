/*
 * The relay inside the network namespace: every connection accepted on the
 * loopback listeners (the proxy address the command was given) is joined to a
 * new connection to ONE pathname unix socket, where the real proxy listens.
 * It never connects anywhere else, so it is not a way out of the namespace.
 * Driven by the supervisor's poll loop: no threads, no blocking reads.
 */
#ifndef CORDON_RELAY_H
#define CORDON_RELAY_H

#include <poll.h>

struct cordon_relay;

/* Takes ownership of the listening fds. NULL only when out of memory. */
struct cordon_relay *cordon_relay_new(const int *listeners, int count, const char *socket_path);

/*
 * The poll set: `first` (the supervisor's own fd) at index 0, then the relay's.
 * Valid until the next call; *n receives its length.
 */
struct pollfd *cordon_relay_poll_set(struct cordon_relay *r, int first, int *n);

/* Accepts, connects and moves bytes for whatever poll reported. */
void cordon_relay_step(struct cordon_relay *r, const struct pollfd *set, int n);

#endif
