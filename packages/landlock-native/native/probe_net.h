/* cordon-probe operations for the seccomp layer and the escape suite. */
#ifndef CORDON_PROBE_NET_H
#define CORDON_PROBE_NET_H

#define PROBE_UNKNOWN (-1000)

/* Runs op with its arguments; PROBE_UNKNOWN when op is not one of these. */
int probe_extra(const char *op, int argc, char **argv);

#endif
