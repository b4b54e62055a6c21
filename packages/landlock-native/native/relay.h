/*
 * The relay inside the network namespace: every connection accepted on the
 * loopback listeners (the proxy address the command was given) is joined to a
 * new connection to ONE pathname unix socket, where the real proxy listens.
 * Local ports add fixed pairs: a loopback port inside → the unix socket where
 * cordon reaches that port on the host (--netns-local), and a unix socket
 * cordon connects to from the host → that loopback port inside
 * (--netns-publish). Each listener has exactly one destination, fixed before
 * exec, so the relay is no way out of the namespace.
 * Driven by the supervisor's poll loop: no threads, no blocking reads.
 */
#ifndef CORDON_RELAY_H
#define CORDON_RELAY_H

#include <poll.h>
#include <sys/socket.h>

/* Local ports (--netns-local, --netns-publish) a relay carries beside the proxy. */
#define CORDON_RELAY_MAX_PORTS 16

struct cordon_relay;

/* Takes ownership of the listening fds. NULL only when out of memory. */
struct cordon_relay *cordon_relay_new(const int *listeners, int count, const char *socket_path);

/*
 * One more listener, whose connections go to target (a unix socket path, or a loopback address
 * inside the namespace): the local ports. Takes ownership of the listener; -1 when full.
 */
int cordon_relay_add(struct cordon_relay *r, int listener, const struct sockaddr *target, socklen_t len);

/*
 * The poll set: `first` (the supervisor's own fd) at index 0, then the relay's.
 * Valid until the next call; *n receives its length.
 */
struct pollfd *cordon_relay_poll_set(struct cordon_relay *r, int first, int *n);

/* Accepts, connects and moves bytes for whatever poll reported. */
void cordon_relay_step(struct cordon_relay *r, const struct pollfd *set, int n);

#endif
