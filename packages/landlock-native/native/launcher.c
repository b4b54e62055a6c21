/* Skeleton launcher: execs its arguments. Expanded by the kernel-layer work. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "cordon-launcher: usage: cordon-launcher CMD [ARGS]\n"); return 2; }
  execvp(argv[1], argv + 1);
  perror("cordon-launcher: exec");
  return 127;
}
